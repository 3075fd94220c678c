#include "http/http_date.h"

#include <chrono>
#include <cstdio>

namespace tock::server {

std::string HttpDate(UnixSeconds t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  using namespace std::chrono;
  // Floor division, so a time before 1970 still lands on the right day.
  sys_days day = floor<days>(sys_seconds(seconds(t)));
  year_month_day date(day);
  hh_mm_ss<seconds> clock(sys_seconds(seconds(t)) - day);
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[weekday(day).c_encoding()], static_cast<unsigned>(date.day()),
                kMonths[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return out;
}

}  // namespace tock::server
