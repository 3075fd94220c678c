"""`tock probe` against real validators started with a clock offset and skew
this test chose: tock serve /validate (clock shifted with --clock-offset),
node jose jwtVerify (currentDate shifted, clockTolerance set), Auth0's
express-oauth2-jwt-bearer (its default 5 s; Date shifted), and nginx
auth_request in front of tock serve. The probe must report both numbers
within its stated uncertainty and within 1 s. The probes run side by side
(each takes about half a minute: one request just after each whole second).
Ports 19010-19039."""
import os
import shutil
import tempfile
import unittest

import probepeers as pp
from probepeers import sl

# name -> (true offset, true skew)
TRUTH = {
    "tock_behind_skew20": (-7, 20),
    "tock_ahead_skew0": (45, 0),
    "tock_seed_behind2_skew0": (-2, 0),
    "jose_ahead11_tol30": (11, 30),
    "auth0_behind3": (-3, 5),
    "nginx_tock_behind_skew20": (-7, 20),
}


class ProbeRealValidators(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.cleanups = []
        try:
            cls.start_validators()
            cls.run_probes()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_validators(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tock-probe-")
        cls.cleanups.append(lambda: shutil.rmtree(cls.tmp, ignore_errors=True))
        cls.key, cls.jwks = sl.make_key(cls.tmp, "partner")
        ports = sl.free_ports(19010, 4)
        urls = {}
        for (name, offset, skew), port in zip(
                (("tock_behind_skew20", "-7s", "20s"), ("tock_ahead_skew0", "45s", "0s"),
                 ("tock_seed_behind2_skew0", "-2s", "0s")), ports):
            server = sl.Server(19010, pp.trust_config(cls.jwks, skew), port=port,
                               extra_args=["--clock-offset", offset])
            cls.cleanups.append(server.cleanup)
            server.start()
            urls[name] = server.url + "/validate"
            if name == "tock_behind_skew20":
                behind = server
        prefix = os.path.join(cls.tmp, "nginx")
        os.chmod(cls.tmp, 0o711)  # nginx as root serves files as "nobody"
        nginx = pp.Nginx(prefix, ports[3], behind.port)
        cls.cleanups.append(nginx.stop)
        urls["nginx_tock_behind_skew20"] = f"http://127.0.0.1:{nginx.port}/api/index.html"
        node_ports = sl.free_ports(19030, 2)
        jose = pp.NodeValidator("jose", node_ports[0], cls.jwks, 11, 30)
        cls.cleanups.append(jose.stop)
        urls["jose_ahead11_tol30"] = f"http://127.0.0.1:{jose.port}/api"
        auth0 = pp.NodeValidator("auth0", node_ports[1], cls.jwks, -3)
        cls.cleanups.append(auth0.stop)
        urls["auth0_behind3"] = f"http://127.0.0.1:{auth0.port}/api/resource"
        cls.urls = urls

    @classmethod
    def run_probes(cls):
        procs = {name: pp.start_probe(url, cls.key) for name, url in cls.urls.items()}
        # The baseline refused (an issuer it does not trust): exit 2 quoting
        # the challenge.
        procs["untrusted"] = pp.start_probe(cls.urls["tock_behind_skew20"], cls.key,
                                            issuer="https://stranger.example")
        # A CI gate against a validator allowing 0 s: exit 1, report printed.
        procs["gate"] = pp.start_probe(cls.urls["tock_seed_behind2_skew0"], cls.key,
                                       "--min-skew", "30s", "--max-offset", "5s")
        cls.results = {name: pp.finish_probe(proc) for name, proc in procs.items()}

    @classmethod
    def tearDownClass(cls):
        for cleanup in reversed(cls.cleanups):
            cleanup()
        cls.cleanups = []

    def check_measured(self, name):
        code, doc, err = self.results[name]
        self.assertEqual(code, 0, f"{name}: {err}")
        offset, skew = TRUTH[name]
        u = doc["uncertainty_s"]
        self.assertGreaterEqual(u, 1.0)
        for measured, true in ((doc["offset_s"], offset), (doc["skew_s"], skew)):
            self.assertLessEqual(abs(measured - true), min(u, 1.0), f"{name}: {doc}")
        print(f"{name}: true offset {offset} skew {skew}; measured offset {doc['offset_s']} "
              f"skew {doc['skew_s']} ± {u} s in {doc['requests']} requests")
        return doc

    def test_json_has_exactly_the_spec_fields(self):
        _, doc, _ = self.results["tock_behind_skew20"]
        self.assertEqual(set(doc), {"url", "requests", "rtt_ms", "offset_s", "skew_s",
                                    "uncertainty_s", "nbf_edge_s", "exp_edge_s", "checks",
                                    "hint"})
        self.assertEqual(set(doc["checks"]),
                         {"requires_exp", "refuses_future_iat", "accepts_30d_lifetime"})
        self.assertEqual(doc["url"], self.urls["tock_behind_skew20"])
        self.assertLessEqual(doc["requests"], 64)

    def test_tock_serve_7s_behind_with_skew_20(self):
        doc = self.check_measured("tock_behind_skew20")
        # U = o + s, L = s - o (a request delayed past a whole second on a
        # loaded machine may move an edge by 1 s: the uncertainty).
        self.assertLessEqual(abs(doc["nbf_edge_s"] - 13), 1)
        self.assertLessEqual(abs(doc["exp_edge_s"] - 27), 1)
        self.assertEqual(doc["checks"], {"requires_exp": True, "refuses_future_iat": True,
                                         "accepts_30d_lifetime": True})

    def test_tock_serve_45s_ahead_with_skew_0_edges_of_opposite_signs(self):
        doc = self.check_measured("tock_ahead_skew0")
        self.assertLessEqual(abs(doc["nbf_edge_s"] - 45), 1)
        self.assertLessEqual(abs(doc["exp_edge_s"] + 45), 1)
        self.assertIn("s early there", doc["hint"])

    def test_seed_scenario_2s_behind_skew_0_says_backdating_nbf_alone_will_not_do(self):
        doc = self.check_measured("tock_seed_behind2_skew0")
        self.assertTrue(doc["checks"]["refuses_future_iat"])
        self.assertIn("backdating nbf alone will not do", doc["hint"])
        self.assertIn("this machine's does, by", doc["hint"])

    def test_node_jose(self):
        doc = self.check_measured("jose_ahead11_tol30")
        # jose checks iat only with maxTokenAge, and exp only when present.
        self.assertEqual(doc["checks"], {"requires_exp": False, "refuses_future_iat": False,
                                         "accepts_30d_lifetime": True})
        self.assertIn("backdate nbf by at least 60 s", doc["hint"])

    def test_auth0_express_oauth2_jwt_bearer_default_5s(self):
        doc = self.check_measured("auth0_behind3")
        self.assertTrue(doc["checks"]["requires_exp"])
        self.assertFalse(doc["checks"]["refuses_future_iat"])

    def test_through_nginx_auth_request_the_same_numbers(self):
        doc = self.check_measured("nginx_tock_behind_skew20")
        direct = self.results["tock_behind_skew20"][1]
        self.assertLessEqual(abs(doc["offset_s"] - direct["offset_s"]), 1)
        self.assertLessEqual(abs(doc["skew_s"] - direct["skew_s"]), 1)

    def test_min_skew_30s_against_a_0s_validator_is_exit_1(self):
        code, doc, err = self.results["gate"]
        self.assertEqual(code, 1, err)
        self.assertLessEqual(abs(doc["skew_s"]), 1)
        self.assertIn("below --min-skew 30s", err)
        self.assertNotIn("--max-offset", err)

    def test_refused_baseline_is_exit_2_quoting_www_authenticate(self):
        code, doc, err = self.results["untrusted"]
        self.assertEqual(code, 2, err)
        self.assertIn('HTTP 401, WWW-Authenticate: Bearer error="invalid_token"', err)
        self.assertEqual(doc["error"]["code"], "probe_error")
        self.assertIn("WWW-Authenticate", doc["error"]["message"])


if __name__ == "__main__":
    unittest.main()
