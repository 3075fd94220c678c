// The `tock clock --json` document (docs/cli.md, `tock clock`).
#include <boost/json.hpp>

#include "internal/json.h"
#include "tock/sntp.h"

namespace tock {
namespace {

namespace json = boost::json;

json::value OptionalNumber(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object ServerObject(const ServerMeasurement& m) {
  json::object o;
  o["server"] = m.server;
  o["address"] = m.address.empty() ? json::value(nullptr) : json::value(m.address);
  // A server without an answer has an error and no figures.
  const bool answered = m.answered();
  o["offset_s"] = answered ? OptionalNumber(m.offset_s) : json::value(nullptr);
  o["delay_s"] = answered ? OptionalNumber(m.delay_s) : json::value(nullptr);
  o["stratum"] = answered && m.stratum ? json::value(*m.stratum) : json::value(nullptr);
  o["samples"] = m.samples;
  o["error"] = m.error ? json::value(*m.error) : json::value(nullptr);
  return o;
}

}  // namespace

std::string ClockReportJson(const ClockReport& report) {
  json::object doc;
  doc["offset_s"] = OptionalNumber(report.offset_s);
  doc["delay_s"] = OptionalNumber(report.delay_s);
  json::array servers;
  for (const ServerMeasurement& m : report.servers) servers.emplace_back(ServerObject(m));
  doc["servers"] = std::move(servers);
  if (!report.answered()) {
    Error e = NoAnswerError(report);
    json::object error;
    error["code"] = e.code_string();
    error["message"] = e.message();
    doc["error"] = std::move(error);
  }
  return internal::SerializeJson(doc);
}

}  // namespace tock
