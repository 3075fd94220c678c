#include "store/pg_key_rows.h"

#include "tock/key_loader.h"

namespace tock::server::pg {
namespace {

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

Result<std::vector<KeyRow>> SelectKeyRows(PGconn* conn, bool for_update) {
  std::string sql =
      "SELECT kid, alg, created_at, activate_at, retired_at, kek_id, encode(sealed_key, 'hex') "
      "FROM tock_keys ORDER BY activate_at, kid COLLATE \"C\"";
  if (for_update) sql += " FOR UPDATE";
  Result<Rows> rows = Exec(conn, sql);
  if (!rows.ok()) return rows.error();
  std::vector<KeyRow> out;
  for (int i = 0; i < rows->size(); ++i) {
    KeyRow row;
    row.kid = rows->Text(i, 0);
    row.alg = rows->Text(i, 1);
    row.created_at = rows->Int(i, 2);
    row.activate_at = rows->Int(i, 3);
    if (!rows->IsNull(i, 4)) row.retired_at = rows->Int(i, 4);
    row.kek_id = rows->Text(i, 5);
    std::optional<std::string> sealed = FromHex(rows->Text(i, 6));
    if (!sealed) return Error(ErrorCode::kKeyError, "tock_keys row " + row.kid + " is damaged");
    row.sealed = std::move(*sealed);
    out.push_back(std::move(row));
  }
  return out;
}

std::string Digest(const std::vector<KeyRow>& rows) {
  std::string out;
  for (const KeyRow& r : rows) {
    out += r.kid + " " + std::to_string(r.activate_at) + " " +
           (r.retired_at ? std::to_string(*r.retired_at) : "-") + " " + r.kek_id + ",";
  }
  return out;
}

Result<SigningKey> OpenRow(const KeyRow& row, const KekRing& ring) {
  std::optional<Algorithm> alg = ParseAlgorithm(row.alg);
  if (!alg) return Error(ErrorCode::kKeyError, "signing key " + row.kid + " has no known alg");
  const Kek* kek = ring.Find(row.kek_id);
  if (kek == nullptr) {
    return Error(ErrorCode::kKeyError, "cannot decrypt signing key " + row.kid +
                                           ": it is sealed under KEK " + row.kek_id + ", and " +
                                           ring.Describe());
  }
  Result<std::string> pem = kek->Open(row.sealed, row.kid);
  if (!pem.ok()) {
    return Error(ErrorCode::kKeyError, "cannot decrypt signing key " + row.kid + " with KEK " +
                                           kek->id() + ": " + pem.error().message());
  }
  Result<LoadedKeys> loaded = LoadKeys(*pem);
  if (!loaded.ok() || loaded->keys.empty() || !loaded->keys[0].has_private()) {
    return Error(ErrorCode::kKeyError,
                 "signing key " + row.kid + " decrypted to something that is not a private key");
  }
  return SigningKey{loaded->keys[0].WithKid(row.kid),
                    row.kid,
                    *alg,
                    row.created_at,
                    row.activate_at,
                    row.retired_at};
}

Result<KeyRow> SealedRow(const SigningKey& key, const Kek& kek) {
  Result<std::string> pem = key.key.PrivatePem();
  if (!pem.ok()) return pem.error();
  Result<std::string> sealed = kek.Seal(*pem, key.kid);
  if (!sealed.ok()) return sealed.error();
  return KeyRow{key.kid,           std::string(ToString(key.alg)),
                key.created_at,    key.activate_at,
                key.retired_at,    kek.id(),
                std::move(*sealed)};
}

Result<void> InsertRow(PGconn* conn, const KeyRow& row) {
  Result<Rows> r = Exec(
      conn,
      "INSERT INTO tock_keys (kid, alg, created_at, activate_at, retired_at, "
      "kek_id, sealed_key) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {Param::Text(row.kid), Param::Text(row.alg), Param::Int(row.created_at),
       Param::Int(row.activate_at), row.retired_at ? Param::Int(*row.retired_at) : Param::Null(),
       Param::Text(row.kek_id), Param::Bytes(row.sealed)});
  if (!r.ok()) return r.error();
  return {};
}

}  // namespace tock::server::pg
