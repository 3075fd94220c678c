#!/usr/bin/env python3
"""Documentation hygiene: users read docs/, never a folder beside the repository.

    check_docs.py CHECK SOURCE_DIR
    check_docs.py self-test

CHECK is one of:
  no-shared-refs  nothing a user receives (README.md, docs/, library/, cli/,
                  server/, web/: prose, headers, --help strings, comments)
                  names the project's working folder beside the repository:
                  no "shared/spec" and no "../shared". Point at docs/ instead.
  doc-links       every relative Markdown link in README.md and docs/*.md
                  names a file that exists in the repository, and its
                  #anchor (if any) a heading of that Markdown file, by
                  GitHub's rule (lower case, punctuation dropped, spaces
                  to hyphens, "-1", "-2" for repeated headings).
  server-reference  docs/server.md names every config key the server
                  accepts (the CheckKeys lists of server/) and every
                  metric it exports (the "tock_..." names in server/).

Exit 0 when clean, 1 with one line per finding (file:line: why) otherwise.
"""

import os
import re
import sys
import tempfile

USER_FACING = ["README.md", "docs", "library", "cli", "server", "web"]
# Built by joining, so that this file itself never holds the strings it bans.
FORBIDDEN = ["shared" + "/spec", ".." + "/shared"]
SKIP_DIRS = {"node_modules", ".git", "__pycache__"}
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def walk(root, names):
    for name in names:
        path = os.path.join(root, name)
        if os.path.isfile(path):
            yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for f in sorted(files):
                yield os.path.join(folder, f)


def text_lines(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    if b"\0" in data:
        return []  # images and other binary files
    return data.decode("utf-8", "replace").splitlines()


def check_no_shared_refs(root):
    findings = []
    for path in walk(root, USER_FACING):
        for number, line in enumerate(text_lines(path), 1):
            for needle in FORBIDDEN:
                if needle in line:
                    findings.append(f"{os.path.relpath(path, root)}:{number}: names "
                                    f"\"{needle}\", which users do not have; link docs/ instead")
    return findings


def heading_anchors(path):
    anchors, seen, in_code = set(), {}, False
    for line in text_lines(path):
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def check_doc_links(root):
    findings = []
    pages = [os.path.join(root, "README.md")]
    docs = os.path.join(root, "docs")
    if os.path.isdir(docs):
        pages += [os.path.join(docs, f) for f in sorted(os.listdir(docs)) if f.endswith(".md")]
    for page in pages:
        in_code = False
        for number, line in enumerate(text_lines(page), 1):
            if line.lstrip().startswith("```"):
                in_code = not in_code
            if in_code:
                continue
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue  # absolute URLs
                file_part, _, anchor = target.partition("#")
                resolved = os.path.normpath(os.path.join(os.path.dirname(page), file_part))
                if not file_part:
                    resolved = page
                if not os.path.exists(resolved):
                    findings.append(f"{os.path.relpath(page, root)}:{number}: link to "
                                    f"{target}, which does not exist")
                elif anchor and resolved.endswith(".md") and anchor not in heading_anchors(resolved):
                    findings.append(f"{os.path.relpath(page, root)}:{number}: link to "
                                    f"{target}: no such heading in {file_part or 'this page'}")
    return findings


CHECK_KEYS = re.compile(r'CheckKeys\(\s*\w+\s*,\s*"([^"]*)"\s*,\s*\{([^}]*)\}')
METRIC = re.compile(r'"(tock_[a-z0-9_]+)"')


def check_server_reference(root):
    findings = []
    reference_path = os.path.join(root, "docs", "server.md")
    reference = "\n".join(text_lines(reference_path))
    if not reference:
        return ["docs/server.md: missing"]
    for path in walk(root, ["server"]):
        if not path.endswith((".cc", ".h")):
            continue
        source = "\n".join(text_lines(path))
        rel = os.path.relpath(path, root)
        for where, keys in CHECK_KEYS.findall(source):
            for key in re.findall(r'"([^"]+)"', keys):
                if not re.search(r"(?<![\w-])" + re.escape(key) + r"(?![\w-])", reference):
                    findings.append(f"{rel}: config key {where} {key} is not in docs/server.md")
        for metric in sorted(set(METRIC.findall(source))):
            if metric not in reference:
                findings.append(f"{rel}: metric {metric} is not in docs/server.md")
    return findings


CHECKS = {"no-shared-refs": check_no_shared_refs, "doc-links": check_doc_links,
          "server-reference": check_server_reference}


def self_test():
    """Plants one violation per place and checks that each is found."""
    with tempfile.TemporaryDirectory() as root:
        planted = {
            "README.md": "See `../" "shared/spec/server.md`.\n[ok](docs/a.md) [bad](docs/gone.md)\n",
            "docs/a.md": "# Title: `x` (y)\n## Title: x y\n[up](../README.md) [web](https://x.org) "
                         "[self](#title-x-y) [again](#title-x-y-1) [gone](#nope)\n",
            "library/include/tock/x.h": "// the codes of shared" "/spec/cli.md\n",
            "cli/main.cc": '  app->description("see ..' '/shared/notes");\n',
            "web/page.js": "// fine\n",
            "server/config.cc": 'r.CheckKeys(t, "[x]", {"known", "unknown_key"});\n'
                                'm.Inc("tock_known_total"); m.Inc("tock_new_total");\n',
            "docs/server.md": "`known` and tock_known_total\n",
        }
        for name, content in planted.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(content)
        refs = check_no_shared_refs(root)
        links = check_doc_links(root)
        server = check_server_reference(root)
    expected_refs = ["README.md:1", "cli/main.cc:1", "library/include/tock/x.h:1"]
    got_refs = sorted({f.split(": ")[0] for f in refs})
    ok = got_refs == expected_refs and len(refs) == 4  # README names both strings
    ok = ok and len(links) == 2 and links[0].startswith("README.md:2: link to docs/gone.md")
    ok = ok and links[1].startswith("docs/a.md:3: link to #nope: no such heading")
    ok = ok and len(server) == 2 and "unknown_key" in server[0] and "tock_new_total" in server[1]
    if not ok:
        print("self-test failed:", refs, links, server)
        return 1
    print(f"self-test: {len(refs)} planted references and {len(links)} broken links and {len(server)} undocumented names found")
    return 0


def main(argv):
    if argv[1:] == ["self-test"]:
        return self_test()
    if len(argv) != 3 or argv[1] not in CHECKS:
        print(__doc__)
        return 2
    findings = CHECKS[argv[1]](argv[2])
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
