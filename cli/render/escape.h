// The one place token text is made safe to print on a terminal.
#ifndef TOCK_CLI_RENDER_ESCAPE_H_
#define TOCK_CLI_RENDER_ESCAPE_H_

#include <string>
#include <string_view>

namespace tock::cli {

// EscapeControls returns |text| with every character that can drive a
// terminal or reorder what is shown replaced by a visible escape: C0
// controls and DEL as \n, \t, \r, \e or \xNN; C1 controls (U+0080..U+009F,
// e.g. the single-character CSI) and the bidirectional overrides and
// isolates (U+200E/F, U+202A..U+202E, U+2066..U+2069) as \u{XXXX}; bytes
// that are not valid UTF-8 as \xNN. A token must never move the cursor,
// change colours or set the window title (cli.md: Conventions).
std::string EscapeControls(std::string_view text);

// EscapeJsonText is EscapeControls for text that is already JSON (the
// library escapes C0 controls there): the remaining dangerous characters
// become \uXXXX, so the result stays valid JSON.
std::string EscapeJsonText(std::string_view json);

// Quote returns EscapeControls(|text|) between double quotes.
std::string Quote(std::string_view text);

}  // namespace tock::cli

#endif  // TOCK_CLI_RENDER_ESCAPE_H_
