#include "common/options.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "render/escape.h"
#include "render/json.h"
#include "tock/app/files.h"
#include "tock/app/time_text.h"

namespace tock::cli {
namespace {

// Stdin larger than this is not a token anyone meant to send; the limit only
// keeps a runaway pipe from exhausting memory.
constexpr std::size_t kMaxStdinBytes = 64u << 20;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// The auth-scheme is case-insensitive (RFC 9110 §11.1), so "bearer " counts.
bool HasBearerPrefix(std::string_view text) {
  static constexpr std::string_view kBearer = "bearer ";
  if (text.size() < kBearer.size()) return false;
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBearer[i]) return false;
  }
  return true;
}

Result<std::vector<Key>> SecretKeys(const KeySourceOptions& options) {
  std::vector<Key> keys;
  auto add_key = [&](Result<Key> key, std::string_view origin) -> Result<void> {
    if (!key.ok()) {
      return Error(key.error().code(), std::string(origin) + ": " + key.error().message());
    }
    keys.push_back(std::move(key).value());
    return {};
  };
  if (options.secret_opt != nullptr && options.secret_opt->count() > 0) {
    Result<void> r = add_key(Key::FromSecret(options.secret), "--secret");
    if (!r.ok()) return std::move(r).error();
  }
  if (options.secret_file_opt != nullptr && options.secret_file_opt->count() > 0) {
    Result<std::string> bytes = ReadFile(options.secret_file);
    if (!bytes.ok()) return std::move(bytes).error();
    // --secret-file uses the bytes exactly: no trimming (cli.md, Secrets).
    Result<void> r = add_key(Key::FromSecret(*bytes), "--secret-file " + options.secret_file);
    if (!r.ok()) return std::move(r).error();
  }
  if (options.secret_b64_opt != nullptr && options.secret_b64_opt->count() > 0) {
    Result<void> r = add_key(Key::FromSecretBase64Url(options.secret_b64), "--secret-b64");
    if (!r.ok()) return std::move(r).error();
  }
  return keys;
}

}  // namespace

Error UsageError(std::string message) { return Error(ErrorCode::kUsage, std::move(message)); }

int ExitCodeFor(const Error& error) {
  return error.disposition() == Disposition::kCannotJudge ? kExitCannotJudge : kExitRejected;
}

int ReportCannotJudge(const Output& out, const Error& error) {
  std::string prefix = out.verb.empty() ? "tock" : "tock " + EscapeControls(out.verb);
  std::cerr << prefix << ": " << EscapeControls(error.message()) << "\n";
  if (error.code() == ErrorCode::kUsage) {
    std::cerr << "Run '" << prefix << " --help' for the flags.\n";
  }
  if (out.json) std::cout << CannotJudgeJson(error, out.verb == "verify") << "\n";
  return kExitCannotJudge;
}

void PrintNote(const Output& out, std::string_view text) {
  std::cerr << "tock " << EscapeControls(out.verb) << ": note: " << EscapeControls(text) << "\n";
}

void ClockOptions::Register(CLI::App& app) {
  app.add_option("--now", now, "Pin now to T: RFC 3339 UTC or epoch seconds")->type_name("T");
  app.add_option("--clock-offset", offset, "Shift the clock by D, e.g. -73s (now = T + D)")
      ->type_name("D");
}

Result<std::unique_ptr<ClockSetting>> ClockSetting::Make(const ClockOptions& options) {
  std::unique_ptr<ClockSetting> setting(new ClockSetting());
  std::int64_t offset = 0;
  if (!options.offset.empty()) {
    Result<std::int64_t> d = ParseDurationOption("--clock-offset", options.offset, true);
    if (!d.ok()) return std::move(d).error();
    offset = *d;
  }
  if (!options.now.empty()) {
    Result<UnixSeconds> t = ParseTime(options.now);
    if (!t.ok()) return UsageError("--now: " + t.error().message());
    setting->fixed_.emplace(*t + offset);
  } else {
    setting->offset_.emplace(setting->system_, static_cast<double>(offset));
  }
  return setting;
}

const Clock& ClockSetting::clock() const {
  if (fixed_) return *fixed_;
  return *offset_;
}

Result<std::string> ReadToken(const std::string& argument) {
  std::string text;
  if (argument.empty() || argument == "-") {
    if (isatty(STDIN_FILENO)) std::cerr << "tock: reading the token from stdin...\n";
    char chunk[8192];
    std::size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, stdin)) > 0) {
      text.append(chunk, n);
      if (text.size() > kMaxStdinBytes) {
        return Error(ErrorCode::kIoError, "standard input holds more than 64 MiB: not a token.");
      }
    }
    if (std::ferror(stdin)) return Error(ErrorCode::kIoError, "cannot read standard input.");
  } else {
    text = argument;
  }
  std::string_view token = Trim(text);
  if (HasBearerPrefix(token)) token = Trim(token.substr(7));
  return std::string(token);
}

Result<std::int64_t> ParseDurationOption(std::string_view flag, std::string_view text,
                                         bool allow_sign) {
  Result<std::int64_t> d = ParseDuration(text, allow_sign);
  if (!d.ok()) return UsageError(std::string(flag) + ": " + d.error().message());
  return d;
}

Result<Algorithm> ParseAlgorithmOption(std::string_view flag, std::string_view text) {
  std::optional<Algorithm> alg = ParseAlgorithm(text);
  if (!alg) {
    std::string names;
    for (Algorithm a : AllAlgorithms()) {
      if (!names.empty()) names += ", ";
      names += ToString(a);
    }
    return UsageError(std::string(flag) + ": unknown algorithm \"" + EscapeControls(text) +
                      "\"; use one of " + names + " (\"none\" is never accepted).");
  }
  return *alg;
}

Result<std::pair<std::string, std::string>> SplitAssignment(std::string_view flag,
                                                            std::string_view text) {
  std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return UsageError(std::string(flag) + " expects NAME=VALUE, got \"" + EscapeControls(text) +
                      "\".");
  }
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

void KeySourceOptions::Register(CLI::App& app, bool verifying) {
  if (verifying) {
    app.add_option("--key", key_files, "Key file: PEM, JWK or JWKS; repeatable")
        ->type_name("FILE")
        ->allow_extra_args(false);
    app.add_option("--jwks", jwks, "JWKS file or http(s) URL; repeatable")
        ->type_name("FILE|URL")
        ->allow_extra_args(false);
  } else {
    app.add_option("--key", key_files, "Signing key file: PEM, JWK or JWKS")
        ->type_name("FILE")
        ->allow_extra_args(false)
        ->expected(1);
  }
  secret_opt = app.add_option("--secret", secret, "HMAC secret (32 bytes or more)");
  secret_opt->type_name("STRING");
  secret_file_opt = app.add_option("--secret-file", secret_file, "HMAC secret: the file's bytes");
  secret_file_opt->type_name("FILE");
  secret_b64_opt = app.add_option("--secret-b64", secret_b64, "HMAC secret, base64url");
  secret_b64_opt->type_name("B64URL");
}

std::size_t KeySourceOptions::SourceCount() const {
  std::size_t n = key_files.size() + jwks.size();
  for (const CLI::Option* opt : {secret_opt, secret_file_opt, secret_b64_opt}) {
    if (opt != nullptr && opt->count() > 0) ++n;
  }
  return n;
}

Result<std::vector<Key>> LoadKeyFileWithNotes(const Output& out, const std::string& path) {
  Result<LoadedKeys> loaded = LoadKeyFile(path);
  if (!loaded.ok()) return std::move(loaded).error();
  for (const std::string& note : loaded->notes) PrintNote(out, path + ": " + note);
  return std::move(loaded->keys);
}

Result<std::vector<Key>> KeySourceOptions::Load(const Output& out) const {
  std::vector<Key> keys;
  for (const std::string& path : key_files) {
    Result<std::vector<Key>> loaded = LoadKeyFileWithNotes(out, path);
    if (!loaded.ok()) return std::move(loaded).error();
    keys.insert(keys.end(), loaded->begin(), loaded->end());
  }
  for (const std::string& source : jwks) {
    bool remote = source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
    Result<std::vector<Key>> loaded = std::vector<Key>{};
    if (remote) {
      Result<LoadedKeys> fetched = FetchJwks(source);
      if (!fetched.ok()) return std::move(fetched).error();
      for (const std::string& note : fetched->notes) PrintNote(out, source + ": " + note);
      loaded = std::move(fetched->keys);
    } else {
      loaded = LoadKeyFileWithNotes(out, source);
    }
    if (!loaded.ok()) return std::move(loaded).error();
    keys.insert(keys.end(), loaded->begin(), loaded->end());
  }
  Result<std::vector<Key>> secrets = SecretKeys(*this);
  if (!secrets.ok()) return std::move(secrets).error();
  keys.insert(keys.end(), secrets->begin(), secrets->end());
  return keys;
}

}  // namespace tock::cli
