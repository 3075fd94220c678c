// `tock keygen`: make a new private key, as PKCS#8 PEM or a private JWK.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"
#include "tock/app/key_type.h"

namespace tock::cli {
namespace {

struct KeygenOptions {
  Output out{"keygen"};
  std::string alg;
  std::string type;
  int bits = 2048;
  std::string curve = "P-256";
  bool jwk = false;
  std::string out_file;
  bool force = false;
};

Error IoError(const std::string& what, const std::string& path, int err) {
  return Error(ErrorCode::kIoError,
               "cannot " + what + " " + path + ": " + std::strerror(err) + ".");
}

Result<void> WriteAll(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("write", path, errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return IoError("sync", path, errno);
  return {};
}

// WriteKeyFile creates |path| with mode 0600 and O_EXCL, so an existing
// file (or a planted symlink) is never written through. With |force| the key
// goes to a fresh 0600 file beside it that is renamed over the old one.
Result<void> WriteKeyFile(const std::string& path, const std::string& data, bool force) {
  std::string target = force ? path + ".tock-new" : path;
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST && !force) {
      return Error(ErrorCode::kIoError,
                   path + " already exists; it was left untouched (use --force to replace it).");
    }
    return IoError("create", target, errno);
  }
  // The umask may have cleared bits, never added them; make 0600 explicit.
  ::fchmod(fd, 0600);
  Result<void> written = WriteAll(fd, data, target);
  ::close(fd);
  if (written.ok() && force && ::rename(target.c_str(), path.c_str()) != 0) {
    written = IoError("replace", path, errno);
  }
  if (!written.ok() && force) ::unlink(target.c_str());
  return written;
}

Result<Key> Generate(const KeygenOptions& o, const CLI::App& app) {
  bool by_alg = !o.alg.empty();
  bool by_type = !o.type.empty();
  if (by_alg == by_type) {
    return UsageError("keygen needs exactly one of --alg ALG or --type rsa|ec|ed25519.");
  }
  if (by_alg) {
    if (app.count("--bits") > 0 || app.count("--curve") > 0) {
      return UsageError("--bits and --curve go with --type, not --alg.");
    }
    Result<Algorithm> alg = ParseAlgorithmOption("--alg", o.alg);
    if (!alg.ok()) return std::move(alg).error();
    return GenerateKey(*alg);
  }
  if (app.count("--bits") > 0 && o.type != "rsa") {
    return UsageError("--bits goes with --type rsa only.");
  }
  if (app.count("--curve") > 0 && o.type != "ec") {
    return UsageError("--curve goes with --type ec only.");
  }
  return GenerateKeyOfType(o.type, o.bits, o.curve);
}

int RunKeygen(const KeygenOptions& o, const CLI::App& app) {
  Result<Key> key = Generate(o, app);
  if (!key.ok()) return ReportCannotJudge(o.out, key.error());
  // --json output must be one JSON document: the key as a private JWK.
  bool jwk = o.jwk || o.out.json;
  if (!jwk && key->type() == KeyType::kOct) {
    return ReportCannotJudge(
        o.out, UsageError("an HMAC secret has no PEM form: add --jwk to get it as an oct JWK."));
  }
  Result<std::string> text = jwk ? key->PrivateJwk() : key->PrivatePem();
  if (!text.ok()) return ReportCannotJudge(o.out, text.error());
  std::string data = *text;
  if (data.empty() || data.back() != '\n') data += '\n';
  if (o.out_file.empty()) {
    std::cout << data;
    return kExitOk;
  }
  if (Result<void> r = WriteKeyFile(o.out_file, data, o.force); !r.ok()) {
    return ReportCannotJudge(o.out, r.error());
  }
  std::cerr << "tock keygen: wrote " << o.out_file << " (mode 0600)";
  if (key->type() != KeyType::kOct) std::cerr << ", thumbprint " << key->Thumbprint();
  std::cerr << "\n";
  return kExitOk;
}

}  // namespace

Command RegisterKeygen(CLI::App& root) {
  auto o = std::make_shared<KeygenOptions>();
  CLI::App* app = root.add_subcommand(
      "keygen", "Make a new private key (PKCS#8 PEM, or a private JWK with --jwk)");
  app->add_option("--alg", o->alg, "Make a key for ALG (RS256: RSA 2048, ES256: P-256, ...)")
      ->type_name("ALG");
  app->add_option("--type", o->type, "Key type")->check(CLI::IsMember({"rsa", "ec", "ed25519"}));
  app->add_option("--bits", o->bits, "RSA modulus size (with --type rsa)")->capture_default_str();
  app->add_option("--curve", o->curve, "EC curve (with --type ec)")
      ->check(CLI::IsMember({"P-256", "P-384", "P-521"}))
      ->capture_default_str();
  app->add_flag("--jwk", o->jwk, "Write a private JWK instead of PEM");
  app->add_option("--out", o->out_file, "Write to FILE (mode 0600) instead of stdout")
      ->type_name("FILE");
  app->add_flag("--force", o->force, "Replace --out FILE if it exists");
  app->add_flag("--json", o->out.json,
                "Failures as a JSON document; the key as a private JWK (implies --jwk)");
  return Command{app, [o, app] { return RunKeygen(*o, *app); }};
}

}  // namespace tock::cli
