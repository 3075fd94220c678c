// `tock thumbprint KEYFILE`: the RFC 7638 SHA-256 thumbprint, base64url.
#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"

namespace tock::cli {
namespace {

struct ThumbprintOptions {
  Output out{"thumbprint"};
  std::string file;
};

// A file with several keys (a JWKS, several PEM blocks) prints one line per
// usable key, in file order; a single key prints exactly one line.
int RunThumbprint(const ThumbprintOptions& o) {
  Result<std::vector<Key>> keys = LoadKeyFileWithNotes(o.out, o.file);
  if (!keys.ok()) return ReportCannotJudge(o.out, keys.error());
  for (const Key& key : *keys) std::cout << key.Thumbprint() << "\n";
  return kExitOk;
}

}  // namespace

Command RegisterThumbprint(CLI::App& root) {
  auto o = std::make_shared<ThumbprintOptions>();
  CLI::App* app = root.add_subcommand(
      "thumbprint", "Print the RFC 7638 SHA-256 thumbprint (base64url) of each key in KEYFILE");
  app->add_option("keyfile", o->file, "Key file: PEM, JWK or JWKS")
      ->type_name("KEYFILE")
      ->required();
  return Command{app, [o] { return RunThumbprint(*o); }};
}

}  // namespace tock::cli
