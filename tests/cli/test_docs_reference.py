#!/usr/bin/env python3
"""docs/cli.md is the complete reference: every command `tock --help` lists
has its section, and every flag its `--help` shows is documented in that
section (`tock serve`'s flags in docs/server.md, "Starting and stopping").
A flag added without its documentation fails here.
"""
import os
import re
import subprocess
import unittest

TOCK = os.environ.get("TOCK_BIN", "")
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def read(name):
    with open(os.path.join(ROOT, "docs", name), encoding="utf-8") as f:
        return f.read()


def sections(markdown, level):
    """Heading text -> body, for headings of exactly |level| '#'s (code blocks skipped)."""
    out, current, in_code = {}, None, False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        heading = None if in_code else re.match(r"^(#+)\s+(.*)$", line)
        if heading and len(heading.group(1)) <= level:
            current = heading.group(2) if len(heading.group(1)) == level else None
            if current is not None:
                out[current] = ""
            continue
        if current is not None:
            out[current] += line + "\n"
    return out


def help_text(*command):
    proc = subprocess.run([TOCK, *command, "--help"], capture_output=True, text=True, timeout=30)
    return proc.stdout


def subcommands(text):
    block = text.split("Subcommands:", 1)[1] if "Subcommands:" in text else ""
    names = []
    for line in block.splitlines():
        m = re.match(r"^  ([a-z][a-z-]*)\s", line)
        if m:
            names.append(m.group(1))
        elif names and line and not line.startswith(" "):
            break
    return names


def flags(text):
    found = set(re.findall(r"(?m)^\s+(?:-\w,)?(--[a-z0-9][a-z0-9-]*)", text))
    found.discard("--help")
    return found


class CliReferenceTest(unittest.TestCase):
    def setUp(self):
        if not TOCK:
            self.skipTest("set TOCK_BIN to the built tock binary")
        self.cli = sections(read("cli.md"), 2)
        self.server = sections(read("server.md"), 2)

    def section_of(self, command):
        for heading, body in self.cli.items():
            if re.match(r"^`tock %s[` ]" % re.escape(command), heading):
                return body
        return None

    def test_every_command_and_flag_is_documented(self):
        commands = [c for c in subcommands(help_text()) if c != "help"]
        # serve and keys exist only in a build with the server (not the asan preset).
        always = {"decode", "verify", "sign", "keygen", "jwks", "thumbprint", "hash-secret",
                  "clock", "audit", "probe", "token"}
        self.assertLessEqual(always, set(commands), commands)
        if "serve" in commands:
            self.assertIn("keys", commands)
        for command in commands:
            with self.subTest(command=command):
                body = self.section_of(command)
                self.assertIsNotNone(body, f"docs/cli.md has no section for `tock {command}`")
                if command == "serve":
                    body += self.server.get("Starting and stopping", "")
                text = help_text(command)
                wanted = flags(text)
                for sub in subcommands(text):
                    self.assertIn(f"tock {command} {sub}", body)
                    wanted |= flags(help_text(command, sub))
                missing = sorted(f for f in wanted if not re.search(re.escape(f) + r"(?![a-z-])", body))
                self.assertEqual(missing, [], f"`tock {command}` flags missing from its section")


if __name__ == "__main__":
    unittest.main()
