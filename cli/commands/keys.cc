// `tock keys rotate|list|rewrap`: the issuer's signing keys in a `tock serve`
// data directory, or in PostgreSQL when the config has [store] (server.md,
// key rotation; rewrap re-seals every key under a new KEK). A running server picks up the new
// index within a second; the new key is published at once and signs only
// after `prepublish`, and a retired key stays published until every token it
// signed has expired.
#ifdef TOCK_WITH_SERVER

#include <iostream>
#include <memory>

#include "commands/commands.h"
#include "common/options.h"
#include "config.h"
#include "issuer/key_store.h"
#include "store/kek_ring.h"
#include "store/open_key_store.h"
#include "store/pg_key_backend.h"
#include "tock/app/json_writer.h"
#include "tock/app/time_text.h"

namespace tock::cli {
namespace {

struct KeysOptions {
  Output out{"keys"};
  std::string data_dir;
  std::string config_file;
  std::string alg;
  std::string prepublish;
  std::string now;
  std::string new_kek_file;
  CLI::Option* data_dir_opt = nullptr;
};

Result<server::Config> ReadConfig(const KeysOptions& o) {
  server::Overrides overrides;
  if (o.data_dir_opt->count() > 0) overrides.data_dir = o.data_dir;
  server::ConfigResult loaded = server::LoadConfig(o.config_file, overrides);
  if (loaded.error) return UsageError(loaded.error->ToString());
  return std::move(*loaded.config);
}

// OpenStore reads [token] and [store] from --config (when given), applies
// the flags and opens the keys (creating the first key when none).
Result<std::unique_ptr<server::KeyStore>> OpenStore(const KeysOptions& o, UnixSeconds now) {
  Result<server::Config> loaded = ReadConfig(o);
  if (!loaded.ok()) return loaded.error();
  server::KeyPolicy policy = server::KeyPolicyOf(loaded->token);
  if (!o.alg.empty()) {
    Result<Algorithm> alg = ParseAlgorithmOption("--alg", o.alg);
    if (!alg.ok()) return alg.error();
    policy.alg = *alg;
  }
  if (!o.prepublish.empty()) {
    Result<std::int64_t> d = ParseDurationOption("--prepublish", o.prepublish);
    if (!d.ok()) return d.error();
    policy.prepublish_s = *d;
  }
  return server::OpenKeyStore(*loaded, policy, now, std::make_shared<server::PgStatus>());
}

Result<UnixSeconds> Now(const KeysOptions& o) {
  if (o.now.empty()) return SystemClock().Now();
  Result<UnixSeconds> t = ParseTime(o.now);
  if (!t.ok()) return UsageError("--now: " + t.error().message());
  return t;
}

std::string KeyJson(const server::KeyStore& store, const server::SigningKey& k, UnixSeconds now) {
  JsonWriter w;
  w.Str("kid", k.kid)
      .Str("alg", ToString(k.alg))
      .Str("state", ToString(store.StateOf(k, now)))
      .Int("created_at", k.created_at)
      .Int("activate_at", k.activate_at);
  if (k.retired_at) w.Int("retired_at", *k.retired_at);
  return w.Finish();
}

std::string When(UnixSeconds t, UnixSeconds now) {
  return FormatUtc(double(t)) + " (" + FormatRelative(double(t - now)) + ")";
}

int RunList(const KeysOptions& o) {
  Result<UnixSeconds> now = Now(o);
  if (!now.ok()) return ReportCannotJudge(o.out, now.error());
  Result<std::unique_ptr<server::KeyStore>> store = OpenStore(o, *now);
  if (!store.ok()) return ReportCannotJudge(o.out, store.error());
  const std::vector<server::SigningKey> keys = (*store)->keys();
  if (o.out.json) {
    std::string list = "[";
    for (std::size_t i = 0; i < keys.size(); ++i)
      list += (i ? "," : "") + KeyJson(**store, keys[i], *now);
    std::cout << JsonWriter().Raw("keys", list + "]").Int("now", *now).Finish() << "\n";
    return kExitOk;
  }
  for (const server::SigningKey& k : keys) {
    server::KeyState state = (*store)->StateOf(k, *now);
    std::cout << k.kid << "  " << ToString(k.alg) << "  " << ToString(state);
    if (state == server::KeyState::kNext) std::cout << ", signs from " << When(k.activate_at, *now);
    if (k.retired_at && state != server::KeyState::kNext)
      std::cout << (*k.retired_at > *now ? ", retires " : ", retired ")
                << When(*k.retired_at, *now);
    std::cout << "\n";
  }
  return kExitOk;
}

int RunRotate(const KeysOptions& o) {
  Result<UnixSeconds> now = Now(o);
  if (!now.ok()) return ReportCannotJudge(o.out, now.error());
  Result<std::unique_ptr<server::KeyStore>> store = OpenStore(o, *now);
  if (!store.ok()) return ReportCannotJudge(o.out, store.error());
  Result<std::string> kid = (*store)->Rotate(*now);
  if (!kid.ok()) return ReportCannotJudge(o.out, kid.error());
  server::SigningKey added = (*store)->keys().back();
  if (o.out.json) {
    std::cout << KeyJson(**store, added, *now) << "\n";
  } else {
    std::cout << "New key " << *kid << " (" << ToString(added.alg)
              << ") is published now and signs from " << When(added.activate_at, *now) << ".\n";
  }
  return kExitOk;
}

// RunRewrap re-seals every key in the [store] database under --new-kek, in
// one transaction; instances holding the new KEK as kek_file and the old one
// as previous_kek_file keep serving throughout.
int RunRewrap(const KeysOptions& o) {
  Result<server::Config> config = ReadConfig(o);
  if (!config.ok()) return ReportCannotJudge(o.out, config.error());
  if (!config->store.postgres()) {
    return ReportCannotJudge(
        o.out, UsageError("tock keys rewrap needs a --config with [store] url (PostgreSQL)"));
  }
  Result<Kek> new_kek = server::ReadKekFile(o.new_kek_file);
  if (!new_kek.ok()) return ReportCannotJudge(o.out, new_kek.error());
  Result<server::KekRing> ring = server::LoadKekRing(config->store);
  if (!ring.ok()) return ReportCannotJudge(o.out, ring.error());
  Result<int> count = server::RewrapKeys(config->store, *ring, *new_kek);
  if (!count.ok()) return ReportCannotJudge(o.out, count.error());
  if (o.out.json) {
    std::cout << JsonWriter().Int("rewrapped", *count).Str("kek_id", new_kek->id()).Finish()
              << "\n";
  } else {
    std::cout << "Re-sealed " << *count << " key(s) under KEK " << new_kek->id()
              << ". Point kek_file at the new KEK file on every instance.\n";
  }
  return kExitOk;
}

void AddCommonFlags(CLI::App& app, KeysOptions& o) {
  o.data_dir_opt = app.add_option("--data-dir", o.data_dir,
                                  "The tock serve data directory (default: the config's, "
                                  "else ./tock-data)")
                       ->type_name("DIR");
  app.add_option("--config", o.config_file, "tock serve config: [token] settings, data_dir")
      ->type_name("FILE");
  app.add_option("--now", o.now, "Pin now to T: RFC 3339 UTC or epoch seconds")->type_name("T");
  app.add_flag("--json", o.out.json, "One JSON document on stdout");
}

}  // namespace

Command RegisterKeys(CLI::App& root) {
  CLI::App* app = root.add_subcommand(
      "keys", "Rotate, list and re-seal tock serve's keys (data directory or [store])");
  app->require_subcommand(1);
  auto rotate = std::make_shared<KeysOptions>();
  auto list = std::make_shared<KeysOptions>();
  CLI::App* r = app->add_subcommand(
      "rotate", "Make the next signing key: published now, signing after prepublish");
  AddCommonFlags(*r, *rotate);
  r->add_option("--alg", rotate->alg, "Algorithm of the new key (default: [token] algorithm)")
      ->type_name("ALG");
  r->add_option("--prepublish", rotate->prepublish,
                "Publish this long before signing (default: [token] prepublish, 1h)")
      ->type_name("D");
  CLI::App* l = app->add_subcommand("list", "List the keys and where each stands");
  AddCommonFlags(*l, *list);
  auto rewrap = std::make_shared<KeysOptions>();
  CLI::App* w = app->add_subcommand(
      "rewrap", "Re-seal every key in the [store] database under a new KEK (one transaction)");
  AddCommonFlags(*w, *rewrap);
  w->add_option("--new-kek", rewrap->new_kek_file,
                "File with the new KEK: 32 random bytes, base64url, mode 0600")
      ->type_name("FILE")
      ->required();
  return Command{app, [r, rotate, l, list, w, rewrap] {
                   if (w->parsed()) return RunRewrap(*rewrap);
                   return r->parsed() ? RunRotate(*rotate) : RunList(*list);
                 }};
}

}  // namespace tock::cli

#endif  // TOCK_WITH_SERVER
