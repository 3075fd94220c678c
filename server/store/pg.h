// A small RAII layer over libpq (Debian's libpq-dev, the C API): owned
// connections and results, parameterized queries only, and descriptions of
// a connection that never hold its password.
//
// Why libpq and not libpqxx: bookworm ships libpqxx 6.4, whose API predates
// the C++17/20 one upstream documents (7.x), and tock needs only a handful
// of statements, LISTEN/NOTIFY and advisory locks. The C API gives exactly
// that with one less dependency; this header is the whole wrapper.
#ifndef TOCK_SERVER_STORE_PG_H_
#define TOCK_SERVER_STORE_PG_H_

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tock/result.h"

namespace tock::server::pg {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

// Rows is a query's result: text values by row and column.
class Rows {
 public:
  explicit Rows(PGresult* r) : result_(r) {}
  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string Text(int row, int col) const {
    return std::string(PQgetvalue(result_.get(), row, col),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, col)));
  }
  long long Int(int row, int col) const { return std::stoll(Text(row, col)); }
  // Affected is the number of rows an INSERT/UPDATE/DELETE changed.
  long long Affected() const;

 private:
  std::unique_ptr<PGresult, ResultDeleter> result_;
};

// Param is one query parameter: text, or binary bytes (bytea), or NULL.
struct Param {
  std::optional<std::string> value;
  bool binary = false;
  static Param Text(std::string v) { return Param{std::move(v), false}; }
  static Param Bytes(std::string v) { return Param{std::move(v), true}; }
  static Param Int(long long v) { return Param{std::to_string(v), false}; }
  static Param Null() { return Param{std::nullopt, false}; }
};

// CheckConninfo parses a postgresql:// URL or a key/value string with
// libpq; the reason on failure never quotes the string (it may hold a
// password).
Result<void> CheckConninfo(const std::string& conninfo);

// Describe is "host H port P database D user U" of |conninfo|: what a log
// line or an error message may say about the database. Never the password.
std::string Describe(const std::string& conninfo);

// Connect opens a connection (connect_timeout 2 s unless the conninfo sets
// one, application_name "tock[PID]"). kNetworkError with libpq's reason.
Result<Conn> Connect(const std::string& conninfo);

// Exec runs |sql| with $1.. = |params| and returns the rows (binary results
// when |binary_result|). kNetworkError when the connection is broken,
// kIoError when the server refused the statement; both carry libpq's text.
Result<Rows> Exec(PGconn* conn, const std::string& sql, const std::vector<Param>& params = {},
                  bool binary_result = false);

// ExecScript runs |sql|, which may hold several statements and no
// parameters (the schema migrations: fixed text, never input).
Result<void> ExecScript(PGconn* conn, const std::string& sql);

// Ok is true while |conn| is connected.
inline bool Ok(const Conn& conn) { return conn && PQstatus(conn.get()) == CONNECTION_OK; }

}  // namespace tock::server::pg

#endif  // TOCK_SERVER_STORE_PG_H_
