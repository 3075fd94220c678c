// Output for people: the decode report, the verify check list, the times
// table and the validity timeline. All token text goes through
// EscapeControls (render/escape.h) before it is printed.
#ifndef TOCK_CLI_RENDER_HUMAN_H_
#define TOCK_CLI_RENDER_HUMAN_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tock/tock.h"

namespace tock::cli {

// Style paints text with ANSI colours when enabled, else leaves it alone.
struct Style {
  bool color = false;
  std::string Paint(std::string_view text, std::string_view sgr) const;
  std::string Good(std::string_view text) const { return Paint(text, "32"); }
  std::string Bad(std::string_view text) const { return Paint(text, "31"); }
  std::string Warn(std::string_view text) const { return Paint(text, "33"); }
  std::string Bold(std::string_view text) const { return Paint(text, "1"); }
  std::string Dim(std::string_view text) const { return Paint(text, "2"); }
};

// StdoutStyle colours only when stdout is a terminal and NO_COLOR is unset.
Style StdoutStyle();

// ClaimReader reads a token's claims and header for display, from an
// UnverifiedView or a VerifiedToken.
struct ClaimReader {
  std::function<std::optional<double>(std::string_view)> number;
  std::function<std::optional<std::string>(std::string_view)> string;
  std::function<std::optional<std::string>(std::string_view)> header;
};
ClaimReader ReaderFor(const UnverifiedView& view);
ClaimReader ReaderFor(const VerifiedToken& token);

// TimeCell prints a time claim as "2026-06-12T09:17:43Z (in 33s)".
std::string TimeCell(double value, UnixSeconds now);

// RenderTimesTable prints the iat/nbf/exp rows present as numbers: value,
// UTC, relative to now.
std::string RenderTimesTable(const ClaimReader& claims, UnixSeconds now, const Style& style);

// RenderTimeline draws the validity window [nbf, exp) around now as a text
// bar; an absent bound leaves that side open.
std::string RenderTimeline(std::optional<double> nbf, std::optional<double> exp, UnixSeconds now,
                           const Style& style);

// RenderDecode is the whole `tock decode` report, labelled UNVERIFIED.
std::string RenderDecode(const UnverifiedView& view, UnixSeconds now, const Style& style);

// RenderDecodeFailure reports a token that does not decode.
std::string RenderDecodeFailure(const Error& error, const Style& style);

// RenderVerify: "VALID", or "REJECTED: <code>", then the check trace's
// lines (every check that ran, up to the failure when it came before the
// signature verified), now and the skew, and for a rejection the message
// and hint.
std::string RenderVerify(const TracedVerification& verification, const Style& style);

}  // namespace tock::cli

#endif  // TOCK_CLI_RENDER_HUMAN_H_
