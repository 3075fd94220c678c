// Options and plumbing shared by the `tock` commands: output mode, clock
// flags, token input, key sources and the exit-code contract of cli.md.
#ifndef TOCK_CLI_COMMON_OPTIONS_H_
#define TOCK_CLI_COMMON_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tock/tock.h"

namespace tock::cli {

// Exit codes of docs/cli.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitCannotJudge = 2;

// Output says how a command reports: its verb (for messages) and whether
// --json was given.
struct Output {
  std::string verb;
  bool json = false;
};

// UsageError makes a kUsage error with |message|.
Error UsageError(std::string message);

// ExitCodeFor maps an error to 1 (rejected) or 2 (cannot judge).
int ExitCodeFor(const Error& error);

// ReportCannotJudge prints an exit-2 failure: the message on stderr and, with
// --json, the error document on stdout ({"valid": false, ...} for verify).
// Returns 2.
int ReportCannotJudge(const Output& out, const Error& error);

// PrintNote writes "tock VERB: note: TEXT" to stderr (key loading notes).
void PrintNote(const Output& out, std::string_view text);

// ClockOptions are --now and --clock-offset (now = T + D).
struct ClockOptions {
  std::string now;
  std::string offset;
  void Register(CLI::App& app);
};

// ClockSetting is the clock a command reads: fixed (--now), or the system
// clock shifted by --clock-offset. Not copyable: the offset clock refers to
// the system clock member.
class ClockSetting {
 public:
  static Result<std::unique_ptr<ClockSetting>> Make(const ClockOptions& options);
  const Clock& clock() const;
  UnixSeconds Now() const { return clock().Now(); }

  ClockSetting(const ClockSetting&) = delete;
  ClockSetting& operator=(const ClockSetting&) = delete;

 private:
  ClockSetting() = default;
  SystemClock system_;
  std::optional<FixedClock> fixed_;
  std::optional<OffsetClock> offset_;
};

// ReadToken returns the token from |argument|, or from stdin when it is
// empty or "-": surrounding whitespace trimmed, a leading "Bearer " stripped.
Result<std::string> ReadToken(const std::string& argument);

// ParseDurationOption / ParseAlgorithmOption turn a flag's text into a
// value, failing with kUsage naming |flag|.
Result<std::int64_t> ParseDurationOption(std::string_view flag, std::string_view text,
                                         bool allow_sign = false);
Result<Algorithm> ParseAlgorithmOption(std::string_view flag, std::string_view text);

// SplitAssignment splits "NAME=VALUE" (--claim, --header); kUsage when there
// is no '=' or NAME is empty.
Result<std::pair<std::string, std::string>> SplitAssignment(std::string_view flag,
                                                            std::string_view text);

// KeySourceOptions are the key flags of cli.md: --key FILE, --jwks FILE|URL,
// --secret, --secret-file, --secret-b64.
struct KeySourceOptions {
  std::vector<std::string> key_files;
  std::vector<std::string> jwks;
  std::string secret;
  std::string secret_file;
  std::string secret_b64;
  CLI::Option* secret_opt = nullptr;
  CLI::Option* secret_file_opt = nullptr;
  CLI::Option* secret_b64_opt = nullptr;

  // Register adds the flags; |verifying| makes --key repeatable and adds
  // --jwks (verify); otherwise one --key or one secret (sign).
  void Register(CLI::App& app, bool verifying);
  // SourceCount is how many key sources were given.
  std::size_t SourceCount() const;
  // Load reads every source in order: --key files, --jwks, then the secret.
  // Notes about skipped members go to stderr.
  Result<std::vector<Key>> Load(const Output& out) const;
};

// LoadKeyFileWithNotes calls LoadKeyFile and prints its notes.
Result<std::vector<Key>> LoadKeyFileWithNotes(const Output& out, const std::string& path);

}  // namespace tock::cli

#endif  // TOCK_CLI_COMMON_OPTIONS_H_
