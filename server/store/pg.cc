#include "store/pg.h"

#include <unistd.h>

#include <cstdlib>

namespace tock::server::pg {
namespace {

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

long long Rows::Affected() const {
  const char* n = PQcmdTuples(result_.get());
  return (n && *n) ? std::atoll(n) : 0;
}

Result<void> CheckConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string reason = error ? Trimmed(error) : "out of memory";
    PQfreemem(error);
    return Error(
        ErrorCode::kUsage,
        "[store] url is neither a postgresql:// URL nor a libpq key/value string (" + reason + ")");
  }
  PQconninfoFree(options);
  return {};
}

std::string Describe(const std::string& conninfo) {
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), nullptr);
  if (options == nullptr) return "PostgreSQL (unparsable url)";
  std::string host = "(default socket)", port = "5432", db, user;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string k = o->keyword;
    if (k == "host" || k == "hostaddr") host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
    if (k == "user") user = o->val;
  }
  PQconninfoFree(options);
  std::string out = "PostgreSQL at host " + host + " port " + port;
  if (!db.empty()) out += " database " + db;
  if (!user.empty()) out += " user " + user;
  return out;
}

Result<Conn> Connect(const std::string& conninfo) {
  // Our defaults come first: with expand_dbname the url's own settings
  // (given as dbname) override them.
  // application_name "tock[PID]": pg_stat_activity (and pg_locks) show
  // which instance holds what, e.g. the rotation leader's lock.
  static const std::string app_name = "tock[" + std::to_string(::getpid()) + "]";
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"2", app_name.c_str(), conninfo.c_str(), nullptr};
  Conn conn(PQconnectdbParams(keys, values, 1));
  if (!conn) return Error(ErrorCode::kNetworkError, "cannot reach " + Describe(conninfo));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Error(ErrorCode::kNetworkError,
                 "cannot reach " + Describe(conninfo) + ": " + Trimmed(PQerrorMessage(conn.get())));
  }
  // NOTICEs ("relation already exists, skipping") are not for stderr.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

// Checked turns a PGresult into Rows or the error: kNetworkError when the
// connection is broken, kIoError when the server refused the statement.
Result<Rows> Checked(PGconn* conn, PGresult* r) {
  Rows rows(r);
  ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  std::string reason = Trimmed(PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return Error(ErrorCode::kNetworkError, "PostgreSQL connection lost: " + reason);
  }
  return Error(ErrorCode::kIoError, "PostgreSQL refused a statement: " + reason);
}

Result<void> ExecScript(PGconn* conn, const std::string& sql) {
  Result<Rows> rows = Checked(conn, PQexec(conn, sql.c_str()));
  if (!rows.ok()) return rows.error();
  return {};
}

Result<Rows> Exec(PGconn* conn, const std::string& sql, const std::vector<Param>& params,
                  bool binary_result) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const Param& p : params) {
    values.push_back(p.value ? p.value->data() : nullptr);
    lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
    formats.push_back(p.binary ? 1 : 0);
  }
  return Checked(
      conn, PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                         lengths.data(), formats.data(), binary_result ? 1 : 0));
}

}  // namespace tock::server::pg
