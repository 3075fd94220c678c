// `tock hash-secret`: print the salted scrypt hash of a client secret for the
// `secret_hash` key of a `tock serve` config, so the config holds no secret.
#include <iostream>
#include <iterator>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"
#include "tock/app/files.h"
#include "tock/secret_hash.h"

namespace tock::cli {
namespace {

// Client secrets shorter than this are refused, as `tock serve` refuses a
// plain `secret` under 32 bytes.
constexpr std::size_t kMinSecretBytes = 32;

struct HashSecretOptions {
  Output out{"hash-secret"};
  std::string secret_file;
};

int RunHashSecret(const HashSecretOptions& o) {
  std::string secret;
  if (!o.secret_file.empty()) {
    Result<std::string> content = ReadFile(o.secret_file);
    if (!content.ok()) return ReportCannotJudge(o.out, content.error());
    secret = *content;
  } else {
    secret.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  // One trailing newline is the terminal's or echo's, not the secret's.
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.size() < kMinSecretBytes) {
    return ReportCannotJudge(o.out, UsageError("The secret is " + std::to_string(secret.size()) +
                                               " bytes; client secrets need at least " +
                                               std::to_string(kMinSecretBytes) + "."));
  }
  Result<std::string> hash = HashSecret(secret);
  if (!hash.ok()) return ReportCannotJudge(o.out, hash.error());
  if (o.out.json) {
    std::cout << "{\"secret_hash\":\"" << *hash << "\"}\n";
  } else {
    std::cout << *hash << "\n";
  }
  return kExitOk;
}

}  // namespace

Command RegisterHashSecret(CLI::App& root) {
  auto o = std::make_shared<HashSecretOptions>();
  CLI::App* app = root.add_subcommand(
      "hash-secret",
      "Print the salted scrypt hash of a client secret (read from stdin) for secret_hash");
  app->add_option("--secret-file", o->secret_file, "Read the secret from FILE instead of stdin")
      ->type_name("FILE");
  app->add_flag("--json", o->out.json, "One JSON document on stdout");
  return Command{app, [o] { return RunHashSecret(*o); }};
}

}  // namespace tock::cli
