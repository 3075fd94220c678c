"""A real nginx (Debian nginx-light) for tests, in the shape docs/nginx.md
configures it: an `upstream tock_validate` with keep-alive, one internal
auth location per policy that asks tock serve's /validate, and static pages
behind `auth_request`. Used by tests/server/test_nginx*.py and the probe
tests. Standard library only."""
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time

import serverlib

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

_CONFIG = '''worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    upstream tock_validate {{
        server 127.0.0.1:{tock_port};
        keepalive 4;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/html;
{locations}
    }}
}}
'''

_AUTH_LOCATION = '''
        location = /_auth/{name} {{
            internal;
            proxy_pass http://tock_validate/validate{query};
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host localhost;  # tock on loopback answers loopback names only
        }}
        location /{name}/ {{
            auth_request /_auth/{name};
{extra}
        }}
'''


def installed():
    return os.path.exists(NGINX)


def auth_location(name, query="", extra=""):
    """The two locations that guard /NAME/ with /validate?QUERY; |extra| is
    added inside the guarded location (auth_request_set, error_page, ...)."""
    return _AUTH_LOCATION.format(name=name, query="?" + query if query else "", extra=extra)


class Nginx:
    """nginx in |prefix| on 127.0.0.1:|port| in front of tock serve on
    |tock_port|; |pages| maps a location name to the text of its index.html.
    Stops (SIGQUIT, a graceful shutdown) in stop()."""

    def __init__(self, prefix, port, tock_port, locations, pages):
        if not installed():
            raise RuntimeError("nginx not found: run scripts/install-deps (nginx-light)")
        self.port = port
        os.makedirs(os.path.join(prefix, "tmp"))
        for name, text in pages.items():
            os.makedirs(os.path.join(prefix, "html", name))
            with open(os.path.join(prefix, "html", name, "index.html"), "w") as f:
                f.write(text)
        temp = "".join(f"    {kind}_temp_path {prefix}/tmp/{kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(_CONFIG.format(temp=temp, tock_port=tock_port, port=port, prefix=prefix,
                                   locations=locations))
        self.proc = subprocess.Popen(
            [NGINX, "-p", prefix, "-c", conf, "-e", "stderr", "-g",
             f"daemon off; pid {prefix}/nginx.pid; error_log stderr;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._wait_listening()

    def _wait_listening(self):
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.time() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def get(self, path, token=None):
        """GET |path| with an optional bearer token: (status, headers with
        lower-case names, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
            res = conn.getresponse()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read().decode()
        finally:
            conn.close()

    def stop(self):
        """Stops nginx gracefully; returns its exit code."""
        return serverlib.stop_process(self.proc, signal.SIGQUIT)
