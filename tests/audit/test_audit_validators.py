"""`tock audit URL` against real validators with known answers (issue 16):
tock serve /validate, and node servers using jwt-simple 0.2.0, jsonwebtoken
8.5.1 and jose 5.9.6 (tests/audit/validators.mjs; pinned by
package-lock.json, installed by scripts/install-deps). Ports 19100-19129 and
the audit's listener in 19140-19149 (auditlib).
"""
import os
import shutil
import sys
import unittest

import auditlib
from auditlib import AUDIENCE, ISSUER, Keys, NodeValidator, audit, by_result, findings

sys.path.insert(0, os.path.join(auditlib.HERE, "..", "server"))
import serverlib  # noqa: E402

NODE = shutil.which("node")
MODULES = os.path.join(auditlib.HERE, "node_modules")


def names(cases):
    return sorted((c["class"], c["name"]) for c in cases)


class AuditValidatorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        auditlib.require_binary()
        if not NODE or not os.path.isdir(os.path.join(MODULES, "jwt-simple")):
            raise AssertionError("node or tests/audit/node_modules missing: run scripts/install-deps")
        cls.keys = Keys()

    @classmethod
    def tearDownClass(cls):
        cls.keys.close()

    def node(self, mode):
        v = NodeValidator(NODE, mode, auditlib.free_port(19110, 20), self.keys.public)
        self.addCleanup(v.close)
        return v

    def run_audit(self, url, *extra):
        port = auditlib.free_port(19145, 5)
        return audit(url, "--jwks", self.keys.jwks, "--sign-key", self.keys.private,
                     "--iss", ISSUER, "--aud", AUDIENCE, "--sub", "alice", "--rate", "50",
                     "--callback-url", f"http://127.0.0.1:{port}", *extra)

    def case(self, doc, klass, name):
        for c in doc["cases"]:
            if (c["class"], c["name"]) == (klass, name):
                return c
        self.fail(f"no case {klass}/{name}")

    def test_jwt_simple_0_2_0_accepts_hmac_keyed_with_the_public_pem(self):
        rc, doc, err = self.run_audit(self.node("jwt-simple").url)
        self.assertEqual(rc, 1, err)
        hs256 = self.case(doc, "hmac_key_confusion", "HS256_spki_pem")
        self.assertEqual((hs256["result"], hs256["severity"]), ("accepted", "critical"))
        self.assertIn("CVE-2016-10555", hs256["refs"])
        # It refuses alg none (real-peers.md), whatever the capitalisation.
        self.assertEqual(
            [c["result"] for c in doc["cases"] if c["class"] == "alg_none"], ["refused"] * 8)
        print("\njwt-simple 0.2.0 findings:", names(findings(doc)), file=sys.stderr)

    def test_jsonwebtoken_8_5_1_misconfigured_accepts_confusion_and_expired(self):
        rc, doc, err = self.run_audit(self.node("jsonwebtoken-weak").url)
        self.assertEqual(rc, 1, err)
        found = names(findings(doc))
        self.assertIn(("hmac_key_confusion", "HS256_spki_pem"), found)
        self.assertEqual(self.case(doc, "hmac_key_confusion", "HS256_spki_pem")["severity"],
                         "critical")
        self.assertIn(("claims", "expired"), found)
        self.assertEqual(self.case(doc, "claims", "expired")["severity"], "high")
        self.assertEqual(self.case(doc, "claims", "wrong_aud")["result"], "refused")
        print("\njsonwebtoken 8.5.1 (RS256+HS256, ignoreExpiration) findings:", found,
              file=sys.stderr)

    def test_jsonwebtoken_8_5_1_defaults_refuse_confusion_and_expired(self):
        rc, doc, err = self.run_audit(self.node("jsonwebtoken").url)
        self.assertIn(rc, (0, 1), err)
        for c in doc["cases"]:
            if c["class"] == "hmac_key_confusion":
                self.assertEqual(c["result"], "refused", c)
        self.assertEqual(self.case(doc, "claims", "expired")["result"], "refused")
        print("\njsonwebtoken 8.5.1 (defaults) findings:", names(findings(doc)), file=sys.stderr)

    def test_jose_fetching_the_jku_is_remote_key_url_with_the_fetch(self):
        rc, doc, err = self.run_audit(self.node("jose-jku").url)
        self.assertEqual(rc, 1, err)
        jku = self.case(doc, "remote_key_url", "jku")
        self.assertEqual((jku["result"], jku["severity"]), ("accepted", "critical"))
        fetched = [f for f in doc["ssrf_fetches"] if f["name"] == "jku"]
        self.assertEqual(len(fetched), 1, doc["ssrf_fetches"])
        self.assertEqual(fetched[0]["remote"], "127.0.0.1")
        self.assertTrue(fetched[0]["path"].endswith("/jku.json"))
        self.assertEqual(names(findings(doc)), [("remote_key_url", "jku")])
        print("\njose with jku findings:", names(findings(doc)), file=sys.stderr)

    def test_jose_without_audience_only_wrong_aud_is_a_finding(self):
        rc, doc, err = self.run_audit(self.node("jose-no-aud").url)
        self.assertEqual(rc, 1, err)
        self.assertEqual(names(findings(doc)), [("claims", "wrong_aud")])
        self.assertEqual(self.case(doc, "claims", "wrong_aud")["severity"], "high")
        notes = by_result(doc, "note")
        self.assertIn(("policy", "no_exp"), notes)
        self.assertEqual(doc["notes"], len(notes))
        print("\njose without audience findings:", names(findings(doc)), "notes:", notes,
              file=sys.stderr)

    def test_tock_serve_validate_has_no_finding_and_logs_each_code(self):
        if os.environ.get("TOCK_AUDIT_NO_SERVER"):
            self.skipTest("this build has no tock serve")
        server = serverlib.Server(19100, config=(
            f'[[trust]]\nissuer = "{ISSUER}"\njwks_file = "{self.keys.jwks}"\n'
            f'audiences = ["{AUDIENCE}"]\n'))
        self.addCleanup(server.cleanup)
        server.start()
        rc, doc, err = self.run_audit(server.url + "/validate")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["findings"], 0)
        self.assertEqual(doc["ssrf_fetches"], [])
        refused = [c for c in doc["cases"] if c["result"] == "refused"]
        self.assertGreater(len(refused), 40)
        server.stop()
        rejected = [line for line in server.log_lines() if line.get("event") == "token_rejected"]
        codes = {line["code"] for line in rejected}
        # Oversized headers are refused by HTTP (431) before any token check.
        by_validation = [c for c in refused if c["status"] == 401]
        self.assertEqual(len(rejected), len(by_validation))
        for code in ("unsupported_alg", "bad_signature", "alg_not_allowed", "crit_unsupported",
                     "expired", "not_yet_valid", "aud_mismatch", "iss_mismatch", "bad_json"):
            self.assertIn(code, codes)
        print("\ntock serve findings: [] ; rejection codes:", sorted(codes), file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
