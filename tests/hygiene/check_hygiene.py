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
  layering         includes follow cli -> server -> tock_app -> tock:
                   library/ includes nothing of app/, server/, cli/ or web/;
                   app/ nothing of server/, cli/ or web/; server/ nothing of
                   cli/; web/ nothing of server/ or cli/.
  installed-api    installed headers (library/include/tock) name no
                   internal:: type and no OpenSSL, Boost or JSON-library type.

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


# Each layer's source folder, the folders its includes may resolve to
# (besides the including file's own folder), and the ones they must not.
LAYERS = [
    ("library", ["library/include", "library/src"], ["app", "server", "cli", "web"]),
    # tock_app shares the core's strict JSON parser and time text
    # (library/src/internal): tock's own code, never installed.
    ("app", ["app/include", "library/include", "library/src"], ["server", "cli", "web"]),
    ("server", ["server", "app/include", "library/include", "web/embed"], ["cli"]),
    ("web", ["web/embed"], ["server", "cli"]),
]


# The core internals tock_app may use: the one strict JSON parser and
# serializer, the time text and file reader the core's messages use, the
# friend path into opaque keys and tokens, and the crypto layer's standard
# base64 (HTTP Basic). Nothing else of library/src.
APP_CORE_INTERNALS = {"internal/json.h", "internal/time_text.h", "internal/read_file.h",
                      "internal/opaque.h", "internal/crypto.h"}

# The folders an include can reach each layer's headers through.
LAYER_ROOTS = {"cli": ["cli"], "server": ["server"], "app": ["app/include", "app/src"],
               "web": ["web", "web/embed"]}


def check_layering(root):
    findings = []
    for layer, allowed, forbidden in LAYERS:
        for path, rel in source_files(root, [layer]):
            code = read_code(path)
            here = os.path.dirname(path)
            for m in INCLUDE.finditer(code):
                target = m.group(2).strip()
                where = f"{rel}:{line_of(code, m.start())}"
                ok = m.group(1) == '"' and os.path.isfile(os.path.join(here, target))
                ok = ok or any(os.path.isfile(os.path.join(root, a, target)) for a in allowed)
                bad = [f for f in forbidden
                       if target.startswith(f + "/") or
                       any(os.path.isfile(os.path.join(root, r, target)) for r in LAYER_ROOTS[f])]
                if (layer == "app" and target not in APP_CORE_INTERNALS and
                        os.path.isfile(os.path.join(root, "library/src", target))):
                    findings.append(f"{where}: app/ includes the core's private \"{target}\"; "
                                    "only " + ", ".join(sorted(APP_CORE_INTERNALS)) + " are shared")
                if bad and not (ok and not target.startswith(bad[0] + "/")):
                    findings.append(f"{where}: {layer}/ includes \"{target}\" of {bad[0]}/; "
                                    "layers run cli -> server -> tock_app -> tock only")
        # The build must not hand a lower layer the CLI's folder or CLI11.
        cmake = os.path.join(root, layer, "CMakeLists.txt")
        if layer != "web" and os.path.isfile(cmake):
            with open(cmake, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    line = line.split("#", 1)[0]
                    if re.search(r"CLI11|\$\{(PROJECT|CMAKE)_SOURCE_DIR\}/cli\b|\.\./cli\b", line):
                        findings.append(f"{layer}/CMakeLists.txt:{n}: {layer}/ gets the CLI's "
                                        "include path or CLI11; only cli/ may")
    return findings


# Names that must not appear in an installed header's code (comments aside).
INSTALLED_FORBIDDEN = [
    (re.compile(r"\binternal\s*::"), "names internal:: (keep it inside the library)"),
    (re.compile(r"\bnamespace\s+internal\b"), "declares into namespace internal"),
    (re.compile(r"\b(EVP_\w+|OSSL_\w+|BIO\b|X509\w*|BIGNUM|ENGINE\b|RSA\b|EC_KEY)"),
     "names an OpenSSL type"),
    (re.compile(r"\bboost\s*::"), "names a Boost type"),
    (re.compile(r"\b(nlohmann|rapidjson|simdjson|yyjson|json_t)\b|\bjson\s*::"),
     "names a JSON-library type"),
    (re.compile(r"\b(CURL\w*|curl_\w+)\b"), "names a libcurl type"),
]


def check_installed_api(root):
    findings = []
    for path, rel in source_files(root, ["library/include/tock"]):
        # Include lines are public-headers' business.
        code = re.sub(r"^\s*#\s*include[^\n]*", "", read_code(path), flags=re.M)
        hits = sorted((m.start(), i, why, m.group(0))
                      for i, (pattern, why) in enumerate(INSTALLED_FORBIDDEN)
                      for m in pattern.finditer(code))
        findings += [f"{rel}:{line_of(code, pos)}: installed header {why}: \"{text}\""
                     for pos, _, why, text in hits]
    return findings


CHECKS = {"public-headers": check_public_headers, "system-clock": check_system_clock,
          "openssl-includes": check_openssl_includes, "layering": check_layering,
          "installed-api": check_installed_api}

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
    "cli/commands/commands.h": "// a cli header\n",
    "server/config.h": "// a server header\n",
    "server/http/router.h": "#include \"config.h\"\n#include \"tock/key.h\"\n",
    "server/app.cc": "#include \"http/router.h\"\n#include \"commands/commands.h\"\n"
                     "#include \"cli/main.cc\"\n#include \"tock/app/report.h\"\n",
    "app/include/tock/app/report.h": "#include \"tock/key.h\"\n",
    "app/src/report.cc": "#include \"tock/app/report.h\"\n#include \"internal/json.h\"\n"
                         "#include \"config.h\"\n",
    "library/src/internal/json.h": "// core internals\n",
    "library/src/internal/jws_format.h": "// core internals\n",
    "app/src/basic_auth.cc": "#include \"internal/jws_format.h\"\n",
    "library/include/tock/key.h": "#include \"tock/app/report.h\"\n"
                                  "namespace internal { struct KeyMaterial; }\n"
                                  "class Key { const internal::KeyMaterial& m() const; EVP_PKEY* p; };\n"
                                  "// internal::KeyMaterial in a comment is fine\n"
                                  "boost::json::object o; json::value v; CURL* c;\n",
    "web/embed/web_page.h": "#include \"http/router.h\"\n",
    "server/CMakeLists.txt": "# CLI11 in a comment is fine\nfind_package(CLI11 REQUIRED)\n"
                             "target_include_directories(s PUBLIC ${PROJECT_SOURCE_DIR}/cli)\n",
}
SELF_TEST_EXPECTED = {
    "public-headers": ["bad.h:1", "bad.h:2", "bad.h:3", "bad.h:4"],
    "system-clock": ["bad.cc:1", "bad.cc:2", "bad.cc:3", "bad.cc:4", "bad.cc:6", "main.cc:1"],
    "openssl-includes": ["bad.h:1", "bad.cc:7", "main.cc:2"],
    "layering": ["key.h:1", "basic_auth.cc:1", "report.cc:3", "app.cc:2", "app.cc:3", "CMakeLists.txt:2",
                 "CMakeLists.txt:3", "web_page.h:1"],
    "installed-api": ["key.h:2", "key.h:3", "key.h:3", "key.h:5", "key.h:5", "key.h:5", "key.h:5"],
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
               "openssl-includes": "library, cli", "layering": "library, app, server, web",
               "installed-api": "library/include/tock"}[argv[1]]
    print(f"{argv[1]}: {len(findings)} finding(s) in {scanned}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
