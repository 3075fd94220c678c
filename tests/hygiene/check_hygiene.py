#!/usr/bin/env python3
"""Source hygiene rules from docs/architecture (shared/guide/architecture.md).

    check_hygiene.py CHECK SOURCE_DIR
    check_hygiene.py self-test

CHECK is one of:
  public-headers   headers under library/include/tock include only the C++
                   standard library and other tock/ headers: never OpenSSL,
                   Boost, a JSON library or any other third-party header.
  system-clock     nothing in library/, cli/ or server/ reads the system
                   clock except library/src/clock.cc (SystemClock).
  openssl-includes nothing in library/ or cli/ includes an OpenSSL header
                   except library/src/internal/crypto* and
                   cli/commands/audit_forge.cc (tock audit's forging helper,
                   outside the library on purpose).

Comments and string literals are blanked before matching, so prose such as
"time (seconds)" or "see <openssl/evp.h>" in a comment is not a finding.
Exit 0 when clean, 1 with one line per finding (file:line: why) otherwise.
"""

import os
import re
import sys
import tempfile

SOURCE_EXTENSIONS = (".h", ".hh", ".hpp", ".cc", ".cpp", ".cxx", ".c", ".ipp", ".inc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)

# Third-party headers named in the error so the reader sees which rule broke.
FORBIDDEN_PUBLIC = [
    (re.compile(r"^openssl/"), "OpenSSL"),
    (re.compile(r"^boost/"), "Boost"),
    (re.compile(r"^(nlohmann/|json/|rapidjson/|simdjson|yyjson|jansson|cjson/|json\.h)"),
     "a JSON library"),
    (re.compile(r"^(curl/|toml\+\+/|CLI/|CLI11|hiredis/|sqlite3)"), "a third-party library"),
]
# C headers a public header may reasonably use; everything else must be a
# C++ standard header (a bare lowercase name such as <string_view>) or tock/.
C_STANDARD_HEADERS = {"stddef.h", "stdint.h", "inttypes.h", "limits.h", "stdbool.h"}

# Calls that read the wall clock. Steady/monotonic clocks are fine: they
# measure intervals and cannot make a token valid or expired.
CLOCK_READS = [
    (re.compile(r"\b(system_clock|high_resolution_clock|utc_clock|tai_clock|gps_clock|file_clock)"
                r"\s*::\s*now\s*\("), "std::chrono::{0}::now() reads the system clock"),
    (re.compile(r"\bgettimeofday\s*\("), "gettimeofday() reads the system clock"),
    (re.compile(r"\b(timespec_get|ftime)\s*\("), "{0}() reads the system clock"),
    (re.compile(r"\b(second_clock|microsec_clock)\s*::\s*(local|universal)_time\s*\("),
     "boost::posix_time::{0} reads the system clock"),
]
# time(nullptr) / std::time(&t) / ::time(0); not obj.time(), Foo::time(), time().
TIME_CALL = re.compile(r"(?<![\w.>:])(std\s*::\s*|::\s*)?time\s*\(\s*(nullptr|NULL|0\s*\)|&)")
CLOCK_GETTIME = re.compile(r"\bclock_gettime\s*\(\s*([A-Za-z_]\w*)")
INTERVAL_CLOCKS = {"CLOCK_MONOTONIC", "CLOCK_MONOTONIC_RAW", "CLOCK_MONOTONIC_COARSE",
                   "CLOCK_BOOTTIME", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID"}
# `using Clock = std::chrono::system_clock;` then `Clock::now()`.
CLOCK_ALIAS = re.compile(r"\busing\s+(\w+)\s*=\s*[\w:\s]*\b(system_clock|high_resolution_clock)\b")


def strip_comments_and_strings(text):
    """Blanks comments and string/char literals, keeping newlines and #include targets."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'" and not (c == "'" and i > 0 and text[i - 1].isalnum()):
            # Keep "..." in #include lines: it names a header, not text.
            line_start = text.rfind("\n", 0, i) + 1
            if c == '"' and re.match(r"\s*#\s*include\s*$", text[line_start:i]):
                j = text.find('"', i + 1)
                j = n if j < 0 else j + 1
                out.append(text[i:j])
                i = j
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            closed = j < n and text[j] == c
            j = min(j + 1, n) if closed else j
            out.append(c + " " * (j - i - 1 - closed) + (c if closed else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def source_files(root, subdirs):
    for sub in subdirs:
        base = os.path.join(root, sub)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith(SOURCE_EXTENSIONS):
                    path = os.path.join(dirpath, name)
                    yield path, os.path.relpath(path, root)


def read_code(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return strip_comments_and_strings(f.read())


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def check_public_headers(root):
    findings = []
    for path, rel in source_files(root, ["library/include/tock"]):
        code = read_code(path)
        for m in INCLUDE.finditer(code):
            target, where = m.group(2).strip(), f"{rel}:{line_of(code, m.start())}"
            named = [what for pattern, what in FORBIDDEN_PUBLIC if pattern.search(target)]
            if named:
                findings.append(f"{where}: public header includes <{target}> ({named[0]}); "
                                "keep dependencies in library/src")
            elif not (target.startswith("tock/") or re.fullmatch(r"[a-z_]+", target)
                      or target in C_STANDARD_HEADERS):
                findings.append(f"{where}: public header includes <{target}>, which is neither "
                                "a standard header nor tock/")
    return findings


def check_system_clock(root):
    findings = []
    for path, rel in source_files(root, ["library", "cli", "server"]):
        if rel == os.path.join("library", "src", "clock.cc"):
            continue
        code = read_code(path)
        hits = []
        for pattern, why in CLOCK_READS:
            hits += [(m.start(), why.format(m.group(1) if m.groups() else ""))
                     for m in pattern.finditer(code)]
        hits += [(m.start(), "time() reads the system clock") for m in TIME_CALL.finditer(code)]
        hits += [(m.start(), f"clock_gettime({m.group(1)}) reads the system clock")
                 for m in CLOCK_GETTIME.finditer(code) if m.group(1) not in INTERVAL_CLOCKS]
        for alias in {m.group(1) for m in CLOCK_ALIAS.finditer(code)}:
            hits += [(m.start(), f"{alias}::now() reads the system clock")
                     for m in re.finditer(rf"\b{alias}\s*::\s*now\s*\(", code)]
        findings += [f"{rel}:{line_of(code, pos)}: {why}; only SystemClock "
                     "(library/src/clock.cc) may, take a tock::Clock instead"
                     for pos, why in sorted(hits)]
    return findings


def check_openssl_includes(root):
    findings = []
    for path, rel in source_files(root, ["library", "cli"]):
        parts = rel.split(os.sep)
        if parts[:3] == ["library", "src", "internal"] and parts[3].startswith("crypto"):
            continue
        # `tock audit`'s forging helper makes the forgeries the library's
        # crypto layer must never make (alg none, HMAC keyed with a public
        # key, zero ECDSA signatures): kept out of the library on purpose.
        if parts == ["cli", "commands", "audit_forge.cc"]:
            continue
        code = read_code(path)
        for m in INCLUDE.finditer(code):
            if m.group(2).strip().startswith("openssl/"):
                findings.append(f"{rel}:{line_of(code, m.start())}: includes <{m.group(2)}>; only "
                                "library/src/internal/crypto* may call OpenSSL")
    return findings


CHECKS = {"public-headers": check_public_headers, "system-clock": check_system_clock,
          "openssl-includes": check_openssl_includes}

# Self-test tree: (path, content, findings expected per check).
SELF_TEST_FILES = {
    "library/include/tock/good.h": "#include <string>\n#include <cstdint>\n#include \"tock/result.h\"\n"
                                   "// #include <openssl/evp.h> in a comment is fine\n"
                                   "std::int64_t time() const;  // an accessor, not ::time\n",
    "library/include/tock/bad.h": "#include <openssl/evp.h>\n#include <boost/json.hpp>\n"
                                  "#  include \"nlohmann/json.hpp\"\n#include <sys/socket.h>\n",
    "library/src/clock.cc": "auto t = std::chrono::system_clock::now();\n",
    "library/src/good.cc": "auto a = std::chrono::steady_clock::now();\nauto b = err.time();\n"
                           "const char* s = \"std::time(nullptr)\";\nParseTime(x);\n"
                           "clock_gettime(CLOCK_MONOTONIC, &ts);\n"
                           "using Tp = std::chrono::time_point<std::chrono::system_clock>;\n"
                           "/* time(nullptr) */ auto r = R\"(gettimeofday(&tv, 0))\";\n",
    "library/src/bad.cc": "auto a = std::chrono::system_clock::now();\nlong b = std::time(nullptr);\n"
                          "gettimeofday(&tv, nullptr);\nclock_gettime(CLOCK_REALTIME, &ts);\n"
                          "using C = std::chrono::system_clock;\nauto c = C::now();\n"
                          "#include <openssl/rand.h>\n",
    "library/src/internal/crypto_ec.cc": "#include <openssl/ec.h>\n",
    "cli/main.cc": "time_t t = time(NULL);\n#include \"openssl/sha.h\"\n",
}
SELF_TEST_EXPECTED = {
    "public-headers": ["bad.h:1", "bad.h:2", "bad.h:3", "bad.h:4"],
    "system-clock": ["bad.cc:1", "bad.cc:2", "bad.cc:3", "bad.cc:4", "bad.cc:6", "main.cc:1"],
    "openssl-includes": ["bad.h:1", "bad.cc:7", "main.cc:2"],
}


def self_test():
    """Runs every check on a tree with known violations: the checks can fail."""
    ok = True
    with tempfile.TemporaryDirectory() as root:
        for rel, content in SELF_TEST_FILES.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(content)
        for name, check in CHECKS.items():
            got = [f"{os.path.basename(f.split(':')[0])}:{f.split(':')[1]}" for f in check(root)]
            if got != SELF_TEST_EXPECTED[name]:
                ok = False
                print(f"self-test {name}: expected {SELF_TEST_EXPECTED[name]}, got {got}")
                print("\n".join(check(root)))
            else:
                print(f"self-test {name}: {len(got)} planted violations found")
    return 0 if ok else 1


def main(argv):
    if argv[1:] == ["self-test"]:
        return self_test()
    if len(argv) != 3 or argv[1] not in CHECKS:
        print(__doc__)
        return 2
    root = os.path.abspath(argv[2])
    findings = CHECKS[argv[1]](root)
    for finding in findings:
        print(finding)
    scanned = {"public-headers": "library/include/tock", "system-clock": "library, cli, server",
               "openssl-includes": "library, cli"}[argv[1]]
    print(f"{argv[1]}: {len(findings)} finding(s) in {scanned}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
