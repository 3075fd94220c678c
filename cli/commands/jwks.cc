// `tock jwks KEYFILE...`: print a JWKS of the public halves of the keys.
#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"
#include "render/escape.h"

namespace tock::cli {
namespace {

struct JwksOptions {
  Output out{"jwks"};
  std::vector<std::string> files;
  std::string alg;
};

int RunJwks(const JwksOptions& o) {
  std::optional<Algorithm> alg;
  if (!o.alg.empty()) {
    Result<Algorithm> parsed = ParseAlgorithmOption("--alg", o.alg);
    if (!parsed.ok()) return ReportCannotJudge(o.out, parsed.error());
    alg = *parsed;
  }
  std::vector<Key> keys;
  for (const std::string& path : o.files) {
    Result<std::vector<Key>> loaded = LoadKeyFileWithNotes(o.out, path);
    if (!loaded.ok()) return ReportCannotJudge(o.out, loaded.error());
    keys.insert(keys.end(), loaded->begin(), loaded->end());
  }
  if (alg) {
    for (const Key& key : keys) {
      if (!key.CanPerform(*alg)) {
        return ReportCannotJudge(
            o.out, Error(ErrorCode::kKeyError,
                         "--alg " + std::string(ToString(*alg)) + " does not fit every key: a " +
                             std::string(ToString(key.type())) + " key cannot perform it."));
      }
    }
  }
  // PublicJwks refuses HMAC secrets (kKeyError): they have no public half.
  Result<std::string> jwks = JwkSet(std::move(keys)).PublicJwks(alg);
  if (!jwks.ok()) return ReportCannotJudge(o.out, jwks.error());
  std::cout << EscapeJsonText(*jwks) << "\n";
  return kExitOk;
}

}  // namespace

Command RegisterJwks(CLI::App& root) {
  auto o = std::make_shared<JwksOptions>();
  CLI::App* app =
      root.add_subcommand("jwks", "Print a JWKS of the public halves of the given keys");
  app->add_option("keyfile", o->files, "Key files: PEM, JWK or JWKS")
      ->type_name("KEYFILE")
      ->required();
  app->add_option("--alg", o->alg, "Set alg on every key")->type_name("ALG");
  app->add_flag("--json", o->out.json, "Errors as a JSON document too (the JWKS is JSON already)");
  return Command{app, [o] { return RunJwks(*o); }};
}

}  // namespace tock::cli
