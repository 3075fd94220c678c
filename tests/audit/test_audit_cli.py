"""`tock audit URL` against validators written here in Python (standard library
only), so that these run in every build, the sanitizer ones included: the
bounds (errors, the request cap), the baseline rule, usage, the listener
and the --json and human outputs. Ports 19130-19149 (auditlib).
"""
import json
import unittest

import auditlib
from auditlib import AUDIENCE, ISSUER, Keys, PyValidator, audit, by_result, findings, tock

CLASSES = ["alg_none", "signature", "hmac_key_confusion", "ecdsa_zero", "embedded_jwk",
           "remote_key_url", "kid_injection", "crit", "claims", "policy", "oversized"]
SEVERITIES = {"critical", "high", "medium", "low", None}


def claims_args():
    return ["--iss", ISSUER, "--aud", AUDIENCE, "--sub", "alice"]


class AuditCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        auditlib.require_binary()
        cls.keys = Keys()

    @classmethod
    def tearDownClass(cls):
        cls.keys.close()

    def start(self, judge):
        validator = PyValidator(auditlib.free_port(19130), judge)
        self.addCleanup(validator.close)
        return validator

    def listener_args(self):
        return ["--callback-url", f"http://127.0.0.1:{auditlib.free_port(19140, 5)}"]

    def test_validator_answering_500_gives_error_results_not_a_crash(self):
        baseline = self.keys.sign()
        v = self.start(lambda token: 204 if token == baseline else 500)
        rc, doc, err = audit(v.url, "--jwks", self.keys.jwks, "--token", baseline,
                             "--sign-key", self.keys.private, "--rate", "100",
                             *self.listener_args(), "--fetch-wait", "0s")
        self.assertEqual(rc, 1, err)
        sent = [c for c in doc["cases"] if c["result"] != "skipped"]
        self.assertGreater(len(sent), 40)
        for c in sent:
            self.assertEqual((c["result"], c["status"]), ("error", 500), c)
            self.assertIn("500", c["reason"])
        self.assertEqual(doc["findings"], len(sent))
        self.assertLess(doc["requests"], 200)
        self.assertEqual(doc["requests"], v.requests)
        self.assertEqual(doc["requests"], len(sent) + 1)  # + the baseline
        # Exactly one line per case, every class present.
        self.assertEqual({c["class"] for c in doc["cases"]}, set(CLASSES))

    def test_baseline_not_accepted_is_probe_error(self):
        v = self.start(lambda token: 401)
        rc, doc, err = audit(v.url, "--jwks", self.keys.jwks, "--sign-key", self.keys.private,
                             *claims_args())
        self.assertEqual(rc, 2)
        self.assertEqual(doc["error"]["code"], "probe_error")
        self.assertEqual(doc["error"]["status"], 401)
        self.assertIn("invalid_token", doc["error"]["www_authenticate"])
        self.assertIn("baseline", err)
        self.assertEqual(v.requests, 1)  # nothing hostile sent after that

    def test_request_cap_skips_the_rest(self):
        baseline = self.keys.sign()
        v = self.start(lambda token: 204 if token == baseline else 401)
        rc, doc, err = audit(v.url, "--jwks", self.keys.jwks, "--token", baseline,
                             "--max-requests", "10", "--rate", "100", *self.listener_args())
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["requests"], 10)
        self.assertEqual(v.requests, 10)
        self.assertEqual(len(by_result(doc, "refused")), 9)
        capped = [c for c in doc["cases"] if c.get("reason", "").startswith("request cap")]
        self.assertGreater(len(capped), 20)
        self.assertTrue(all(c["result"] == "skipped" for c in capped))

    def test_without_sign_key_the_signed_classes_are_skipped_with_the_reason(self):
        baseline = self.keys.sign()
        v = self.start(lambda token: 204 if token == baseline else 401)
        rc, doc, err = audit(v.url, "--key", self.keys.public, "--token", baseline,
                             "--rate", "100", *self.listener_args(), "--fetch-wait", "0s")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["findings"], 0)
        for c in doc["cases"]:
            if c["class"] in ("crit", "claims", "policy"):
                self.assertEqual(c["result"], "skipped", c)
                self.assertIn("--sign-key", c["reason"])
            else:
                self.assertEqual(c["result"], "refused", c)
        names = {c["name"] for c in doc["cases"] if c["class"] == "hmac_key_confusion"}
        for form in ("spki_pem", "spki_pem_no_newline", "pkcs1_pem", "der", "jwk", "raw_n"):
            self.assertIn("HS256_" + form, names)
            self.assertIn("HS512_" + form, names)

    def test_accept_everything_validator_every_class_is_a_finding(self):
        baseline = self.keys.sign()
        v = self.start(lambda token: 204)
        rc, doc, err = audit(v.url, "--jwks", self.keys.jwks, "--token", baseline,
                             "--sign-key", self.keys.private, "--rate", "100",
                             *self.listener_args(), "--fetch-wait", "0s")
        self.assertEqual(rc, 1, err)
        self.assertEqual(set(doc), {"url", "requests", "cases", "findings", "notes",
                                    "ssrf_fetches"})
        self.assertEqual(doc["url"], v.url)
        for c in doc["cases"]:
            self.assertEqual(set(c) - {"reason"}, {"class", "name", "status", "result",
                                                   "severity", "refs"})
            self.assertIn(c["severity"], SEVERITIES)
            self.assertTrue(c["refs"], c)
            if c["class"] in ("policy", "oversized"):
                self.assertEqual((c["result"], c["severity"]), ("note", None), c)
            else:
                self.assertEqual(c["result"], "accepted", c)
                self.assertEqual(c["status"], 204)
        sev = {c["class"]: c["severity"] for c in doc["cases"]}
        self.assertEqual(sev["hmac_key_confusion"], "critical")
        self.assertEqual(sev["crit"], "medium")
        self.assertEqual(sev["claims"], "high")
        refs = {r for c in doc["cases"] for r in c["refs"]}
        for r in ("CVE-2016-10555", "CVE-2022-21449", "CVE-2018-0114", "RFC 8725 §3.1"):
            self.assertIn(r, refs)
        self.assertEqual(doc["findings"], len(findings(doc)))
        self.assertEqual(doc["notes"], len(by_result(doc, "note")))
        self.assertEqual(doc["ssrf_fetches"], [])

    def test_fetch_of_jku_is_a_finding_even_when_refused(self):
        baseline = self.keys.sign()

        def judge(token):
            auditlib.fetch_jku(token)
            return 204 if token == baseline else 401

        v = self.start(judge)
        port = auditlib.free_port(19140, 5)
        rc, doc, err = audit(v.url, "--jwks", self.keys.jwks, "--token", baseline,
                             "--only", "remote_key_url",
                             "--callback-url", f"http://127.0.0.1:{port}")
        self.assertEqual(rc, 1, err)
        cases = {c["name"]: c for c in doc["cases"]}
        self.assertEqual(set(cases), {"jku", "x5u"})
        self.assertEqual((cases["jku"]["result"], cases["jku"]["severity"]), ("fetched", "high"))
        self.assertEqual(cases["jku"]["status"], 401)
        self.assertEqual(cases["x5u"]["result"], "refused")
        self.assertEqual(len(doc["ssrf_fetches"]), 1)
        fetch = doc["ssrf_fetches"][0]
        self.assertEqual((fetch["class"], fetch["name"], fetch["method"]),
                         ("remote_key_url", "jku", "GET"))
        self.assertTrue(fetch["url"].startswith(f"http://127.0.0.1:{port}/tock-audit/"))
        self.assertEqual(fetch["remote"], "127.0.0.1")

    def test_human_output_lists_findings_first(self):
        baseline = self.keys.sign()
        # Accepts alg none (any capitalisation), refuses everything else.
        v = self.start(lambda t: 204 if t == baseline or
                       auditlib.header_of(t).get("alg", "").lower() == "none" else 401)
        rc, out, err = tock("audit", v.url, "--jwks", self.keys.jwks, "--token", baseline,
                            "--rate", "100", "--only", "alg_none,signature")
        self.assertEqual(rc, 1, err)
        lines = [line for line in out.splitlines() if line.strip()]
        self.assertIn("8 findings", lines[0])
        rows = lines[2:]
        self.assertEqual(len(rows), 12)
        self.assertTrue(all(r.startswith("ACCEPTED") for r in rows[:8]), rows)
        self.assertTrue(all(r.startswith("refused") for r in rows[8:]), rows)
        self.assertIn("alg_none", rows[0])
        self.assertIn("critical", rows[0])
        self.assertIn("RFC 8725 §3.1", rows[0])

    def test_usage_errors_exit_2(self):
        url = "http://127.0.0.1:19139/api"  # never contacted: usage fails first
        cases = [
            (["--jwks", self.keys.jwks, "--token", "x.y.z", "--now", "2026-01-01T00:00:00Z"],
             "--now"),
            (["--jwks", self.keys.jwks], "--token"),
            (["--sign-key", self.keys.private], "--jwks"),
            (["--jwks", self.keys.jwks, "--sign-key", self.keys.private, "--only", "nope"],
             "nope"),
            (["--jwks", self.keys.jwks, "--sign-key", self.keys.private, "--max-requests",
              "500"], "200"),
            (["--jwks", self.keys.jwks, "--sign-key", self.keys.private, "--accept", "ok"],
             "--accept"),
            (["--jwks", self.keys.jwks, "--sign-key", self.keys.private, "--secret", "s" * 32],
             "one signing key"),
        ]
        for args, word in cases:
            with self.subTest(args=args):
                rc, out, err = tock("audit", url, "--json", *args)
                self.assertEqual(rc, 2, err)
                self.assertEqual(json.loads(out)["error"]["code"], "usage")
                self.assertIn(word, err)

    def test_unreachable_validator_is_network_error(self):
        port = auditlib.free_port(19130)  # nobody listens there
        rc, out, err = tock("audit", f"http://127.0.0.1:{port}/api", "--json", "--jwks",
                            self.keys.jwks, "--sign-key", self.keys.private)
        self.assertEqual(rc, 2, err)
        self.assertEqual(json.loads(out)["error"]["code"], "network_error")

    def test_help_lists_audit(self):
        rc, out, _ = tock("--help")
        self.assertEqual(rc, 0)
        self.assertIn("audit", out)
        rc, out, _ = tock("audit", "--help")
        self.assertEqual(rc, 0)
        for flag in ("--jwks", "--token", "--sign-key", "--only", "--rate", "--callback-url",
                     "--bearer-header", "--accept"):
            self.assertIn(flag, out)


if __name__ == "__main__":
    unittest.main()
