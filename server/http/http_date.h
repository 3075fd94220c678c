// HttpDate: the IMF-fixdate of RFC 9110 section 5.6.7 for the Date header.
#ifndef TOCK_SERVER_HTTP_HTTP_DATE_H_
#define TOCK_SERVER_HTTP_HTTP_DATE_H_

#include <string>

#include "tock/clock.h"

namespace tock::server {

// HttpDate formats |t| as "Sun, 06 Nov 1994 08:49:37 GMT". It only formats:
// the time comes from the caller's tock::Clock, never the system clock.
std::string HttpDate(UnixSeconds t);

}  // namespace tock::server

#endif  // TOCK_SERVER_HTTP_HTTP_DATE_H_
