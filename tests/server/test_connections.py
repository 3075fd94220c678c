"""`tock serve` under connection floods (server.md "Connections"): the cap
min([limits] max_connections, open-file limit - 32) evicts the oldest idle
connection or refuses a new one, both counted in /metrics; an accept error
(EMFILE) backs off instead of spinning; idle and slowloris floods cost no CPU.
Ports 18920-18949. Server CPU time comes from /proc/PID/stat."""
import os
import re
import resource
import select
import socket
import subprocess
import threading
import time
import unittest

import serverlib as sl

SCALE = float(os.environ.get("TOCK_TIME_SCALE", "1"))
FLOOD = 5000
SLOWLORIS = 40
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of |pid| in seconds (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def metric(server, name):
    body = server.get("/metrics").body
    m = re.search(r"^" + name + r" (\S+)$", body, re.M)
    return float(m.group(1)) if m else None


def timed_healthz(port, timeout=10):
    """Seconds from connect to the whole /healthz answer on a fresh connection."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout * SCALE) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while not data.endswith(b"ok\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    elapsed = time.monotonic() - started
    if not data.startswith(b"HTTP/1.1 200 "):
        raise AssertionError("healthz answered %r" % data[:80])
    return elapsed


def raise_open_files(needed):
    """Raises this process's RLIMIT_NOFILE soft limit to at least |needed|
    (up to the hard limit); None when it cannot, else the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return soft
    if hard != resource.RLIM_INFINITY and hard < needed:
        return None
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return needed


class Clients:
    """Client sockets of one test: an idle flood, slowloris clients that send
    one header byte every 2 s, and single connections. close() ends them all."""

    REQUEST = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"z" * 200

    def __init__(self, port):
        self.port = port
        self.sockets = []
        self.slow = []
        self.stop = threading.Event()
        self.thread = None

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.sockets.append(s)
        return s

    def flood(self, count, timeout=20):
        """Opens |count| idle connections (non-blocking) and waits until the
        kernel completed them all."""
        pending = []
        for _ in range(count):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", self.port))
            self.sockets.append(s)
            pending.append(s)
        poller = select.poll()
        by_fd = {s.fileno(): s for s in pending}
        for fd in by_fd:
            poller.register(fd, select.POLLOUT)
        deadline = time.monotonic() + timeout * SCALE
        while by_fd and time.monotonic() < deadline:
            for fd, _ in poller.poll(500):
                poller.unregister(fd)
                del by_fd[fd]
        if by_fd:
            raise AssertionError(f"{len(by_fd)} of {count} connections never completed")

    def slowloris(self, count):
        for _ in range(count):
            s = self.connect()
            s.setblocking(False)
            self.slow.append([s, 0])
        self.thread = threading.Thread(target=self._dribble, daemon=True)
        self.thread.start()

    def _dribble(self):
        while not self.stop.wait(2.0):
            for entry in self.slow:
                s, sent = entry
                if sent < len(self.REQUEST):
                    try:
                        s.send(self.REQUEST[sent:sent + 1])
                        entry[1] += 1
                    except OSError:
                        entry[1] = len(self.REQUEST)  # closed by the server: done

    def close(self):
        self.stop.set()
        if self.thread:
            self.thread.join()
        for s in self.sockets:
            s.close()
        self.sockets = []


def start_server(config, ulimit=None):
    """A tock serve, optionally started as `sh -c 'ulimit -n N; exec tock serve ...'`."""
    server = sl.Server(18920, config)
    if ulimit is None:
        try:
            return server.start()
        except Exception:
            server.cleanup()
            raise
    server.proc = subprocess.Popen(
        ["sh", "-c", f'ulimit -n {ulimit}; exec "$0" serve --config "$1"', sl.SERVE, server.config_path],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        if server.proc.poll() is not None:
            server.cleanup()
            raise RuntimeError(f"tock serve exited {server.proc.returncode}: {server.stderr}")
        try:
            if server.get("/healthz").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.05)
    server.cleanup()
    raise RuntimeError("tock serve did not answer /healthz within 20 s")


class FloodTest(unittest.TestCase):
    """5,000 idle connections plus slowloris clients against the cap."""

    def setUp(self):
        sl.require_binary()
        if raise_open_files(FLOOD + SLOWLORIS + 200) is None:
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            print(f"skipped: the open-file hard limit {hard} is too low for {FLOOD} client sockets")
            self.skipTest(f"RLIMIT_NOFILE hard limit {hard} < {FLOOD + SLOWLORIS + 200}")

    def run_flood(self, server, cap):
        clients = Clients(server.port)
        self.addCleanup(clients.close)
        clients.flood(FLOOD)
        clients.slowloris(SLOWLORIS)
        # Wait until the server has accepted the whole flood: every admission
        # past the cap evicted one older idle connection (a few may have
        # closed by themselves: header_timeout).
        expected = int(0.9 * (FLOOD + SLOWLORIS - cap))
        deadline = time.monotonic() + 20 * SCALE
        while (metric(server, "tock_connections_evicted_total") or 0) < expected:
            self.assertLess(time.monotonic(), deadline, "the server did not take the flood in")
            time.sleep(0.2)
        # A fresh connection is served at once: it evicts the oldest idle one.
        fastest = min(timed_healthz(server.port) for _ in range(3))
        print(f"\n  cap {cap}: /healthz on a fresh connection in {fastest * 1000:.1f} ms", end=" ")
        self.assertLess(fastest, 0.1 * SCALE)
        # No busy loop: flooded and idle (slowloris bytes still trickling in).
        before = cpu_seconds(server.proc.pid)
        time.sleep(10)
        used = cpu_seconds(server.proc.pid) - before
        print(f"CPU over 10 s flooded: {used:.2f} s", end=" ")
        self.assertLess(used, 0.5 * SCALE, "over 5 % of a core while flooded and idle")
        self.assertGreaterEqual(metric(server, "tock_connections_evicted_total"), expected)
        self.assertEqual(metric(server, "tock_connections_refused_total"), 0)

    def test_flood_with_the_default_cap(self):
        server = start_server("")
        self.addCleanup(server.cleanup)
        self.run_flood(server, min(4096, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 32))

    def test_flood_under_ulimit_256(self):
        server = start_server("", ulimit=256)
        self.addCleanup(server.cleanup)
        lowered = [l for l in server.log_lines() if l.get("event") == "connection_cap_lowered"]
        self.assertEqual([(l["connection_cap"], l["max_connections"]) for l in lowered], [(224, 4096)])
        self.run_flood(server, 256 - 32)


def busy(clients):
    """A connection with a request in flight: headers read by the server (it
    says so with 100 Continue), body pending."""
    s = clients.connect()
    s.sendall(b"POST /nope HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
              b"Expect: 100-continue\r\n\r\n")
    interim = s.recv(4096)
    if not interim.startswith(b"HTTP/1.1 100 "):
        raise AssertionError("no 100 Continue: %r" % interim)
    return s


def read_response(s):
    """One HTTP response (with Content-Length) from |s|, as text."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return data.decode("latin-1")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return (head + b"\r\n\r\n" + body).decode("latin-1")


def closed_by_server(s, wait=2.0):
    """True when the server closes |s| (EOF or reset) within |wait| seconds."""
    s.settimeout(wait * SCALE)
    try:
        return s.recv(4096) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class CapTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.server = start_server("[limits]\nmax_connections = 4\n")
        self.addCleanup(self.server.cleanup)
        self.clients = Clients(self.server.port)
        self.addCleanup(self.clients.close)

    def settle(self):
        time.sleep(0.1)  # the server accepts in order

    def test_the_oldest_idle_connection_is_evicted(self):
        in_flight = busy(self.clients)
        self.settle()
        oldest_idle = self.clients.connect()
        self.settle()
        idle = [self.clients.connect() for _ in range(2)]
        self.settle()
        newcomer = self.clients.connect()
        newcomer.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = read_response(newcomer)
        self.assertTrue(answer.startswith("HTTP/1.1 200 "), answer)
        self.assertRegex(answer, r"(?m)^tock_connections_evicted_total 1$")
        self.assertTrue(closed_by_server(oldest_idle), "the oldest idle connection stayed open")
        self.assertFalse(closed_by_server(idle[0], 0.3), "a newer idle connection was closed")
        # The request in flight was not cut off: it is answered.
        in_flight.sendall(b"ab")
        self.assertTrue(read_response(in_flight).startswith("HTTP/1.1 404 "))

    def test_with_every_connection_busy_a_new_one_is_refused(self):
        requests = [busy(self.clients) for _ in range(4)]
        self.settle()
        started = time.monotonic()
        refused = self.clients.connect()
        self.assertTrue(closed_by_server(refused), "a fifth connection was admitted")
        self.assertLess(time.monotonic() - started, 1 * SCALE)
        # Finish one request; its keep-alive connection then reads /metrics.
        requests[0].sendall(b"ab")
        self.assertTrue(read_response(requests[0]).startswith("HTTP/1.1 404 "))
        requests[0].sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = read_response(requests[0])
        self.assertRegex(answer, r"(?m)^tock_connections_refused_total 1$")
        self.assertRegex(answer, r"(?m)^tock_connections_evicted_total 0$")


class AcceptErrorTest(unittest.TestCase):
    def test_out_of_descriptors_backs_off_instead_of_spinning(self):
        """The open-file limit drops under the server after start (the cap
        was computed from the old one): accept fails with EMFILE."""
        sl.require_binary()
        server = start_server("")
        self.addCleanup(server.cleanup)
        clients = Clients(server.port)
        self.addCleanup(clients.close)
        _, hard = resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE)
        resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE, (64, hard))
        clients.flood(120)
        before = cpu_seconds(server.proc.pid)
        time.sleep(5)
        used = cpu_seconds(server.proc.pid) - before
        print(f"\n  CPU over 5 s out of descriptors: {used:.2f} s", end=" ")
        self.assertLess(used, 0.25 * SCALE, "over 5 % of a core: accept spins on EMFILE")
        # Idle connections make way, so a fresh one is served.
        elapsed = timed_healthz(server.port, timeout=20)
        print(f"/healthz in {elapsed * 1000:.0f} ms", end=" ")
        self.assertGreater(metric(server, "tock_connections_evicted_total"), 0)


if __name__ == "__main__":
    sl.require_binary()
    unittest.main()
