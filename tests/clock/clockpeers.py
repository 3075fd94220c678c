"""NTP peers for the `tock clock` / `sign --ntp` tests: a real chronyd and a
scripted SNTP responder, both on loopback only (a test never asks a public
server). Standard library only.

How the real chronyd is started and stopped (Chronyd below):
  * a temporary directory holds chrony.conf, the driftfile and the pidfile;
  * chrony.conf says `local stratum 8` (serve the local clock with no upstream
    source), `allow 127.0.0.1`, `bindaddress 127.0.0.1`, `port P` with P the
    first free UDP port in 12300-12399, and `cmdport 0` (no control socket);
  * chronyd runs in the foreground: `chronyd -x -d -t 300 -f CONF` plus
    `-u root` when the test runs as root (no privilege drop, so it can write
    the temp dir) or `-U` otherwise. -x: never touch the system clock;
    -d: no daemon, log to stderr (captured to a file shown on failure);
    -t 300: chronyd exits by itself after 5 minutes even if this test dies;
  * the test waits until it answers an SNTP request (at most 10 s);
  * stop(): SIGTERM, wait up to 5 s, then SIGKILL; it runs from the context
    manager's __exit__, from atexit and from SIGTERM/SIGINT handlers, so a
    failing or interrupted test still stops it.

A chronyd under faketime is not a valid skewed peer (its receive timestamps
come from the kernel, unshifted): skewed answers come from Responder.
"""
import atexit
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

NTP_DELTA = 2208988800  # 1970 minus 1900, seconds
PORT_RANGE = range(12300, 12400)


def to_ntp(t):
    seconds = int(t // 1) + NTP_DELTA
    fraction = int((t - (t // 1)) * 2**32) & 0xFFFFFFFF
    return ((seconds & 0xFFFFFFFF) << 32) | fraction


def free_udp_port(ports=PORT_RANGE):
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free UDP port in {ports.start}-{ports.stop - 1}")


def sntp_probe(port, timeout=0.3):
    """True when something answers a mode-3 request on 127.0.0.1:port with mode 4."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        request = bytes([0x23]) + bytes(39) + struct.pack("!Q", to_ntp(time.time()))
        try:
            s.sendto(request, ("127.0.0.1", port))
            reply, _ = s.recvfrom(512)
        except OSError:
            return False
        return len(reply) >= 48 and reply[0] & 7 == 4 and reply[24:32] == request[40:48]


class Chronyd:
    """A real chronyd serving its local clock on a loopback port."""

    def __init__(self):
        self.binary = shutil.which("chronyd") or "/usr/sbin/chronyd"
        if not os.path.exists(self.binary):
            raise RuntimeError("chronyd not found: install Debian's chrony (apt-get install chrony)")
        self.dir = tempfile.mkdtemp(prefix="tock-chronyd-")
        self.port = free_udp_port()
        self.conf = os.path.join(self.dir, "chrony.conf")
        with open(self.conf, "w") as f:
            f.write(f"local stratum 8\nallow 127.0.0.1\nbindaddress 127.0.0.1\nport {self.port}\n"
                    f"cmdport 0\ndriftfile {self.dir}/drift\npidfile {self.dir}/chronyd.pid\n")
        self.log_path = os.path.join(self.dir, "chronyd.log")
        self.proc = None

    def start(self):
        user = ["-u", "root"] if os.geteuid() == 0 else ["-U"]
        cmd = [self.binary, "-x", "-d", "-t", "300", *user, "-f", self.conf]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)

            def handler(signum, frame, previous=previous):
                self.stop()
                if callable(previous):
                    previous(signum, frame)
                raise SystemExit(128 + signum)

            signal.signal(sig, handler)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chronyd exited with {self.proc.returncode}:\n{self.read_log()}")
            if sntp_probe(self.port):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"chronyd did not answer on 127.0.0.1:{self.port} within 10 s:\n"
                           f"{self.read_log()}")

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.log.close()
            self.proc = None
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Responder:
    """A scripted SNTP server on 127.0.0.1 answering with time.time() + offset,
    or with a fault: 'kiss' (stratum 0, code RATE) or 'silent'."""

    def __init__(self, offset=0.0, mode="time"):
        self.offset = offset
        self.mode = mode
        self.requests = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.server = f"127.0.0.1:{self.port}"
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self.stopping:
            try:
                request, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                return
            received = time.time() + self.offset
            self.requests += 1
            if self.mode == "silent" or len(request) < 48:
                continue
            stratum, leap, refid = 2, 0, b"LOCL"
            if self.mode == "kiss":
                stratum, leap, refid = 0, 3, b"RATE"
            first = (leap << 6) | ((request[0] >> 3) & 7) << 3 | 4
            header = struct.pack("!BBbb", first, stratum, request[2], -20) + bytes(8) + refid
            body = struct.pack("!Q", to_ntp(received - 16)) + request[40:48]
            body += struct.pack("!QQ", to_ntp(received), to_ntp(time.time() + self.offset))
            self.sock.sendto(header + body, peer)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join()
        self.sock.close()
