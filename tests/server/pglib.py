"""A throw-away PostgreSQL 15 for the tock serve tests on [store].

initdb into a temp folder owned by the `postgres` user (PostgreSQL refuses to
run as root; when the tests run as root, every PostgreSQL program runs under
`runuser -u postgres --`), listening on 127.0.0.1:PORT and on a socket in the
same folder; stopped and removed by cleanup(). A role `tock` with a password
(scram-sha-256 over TCP) owns the database `tock`.
"""
import os
import pwd
import shutil
import subprocess
import tempfile
import time

PG_BIN = os.environ.get("TOCK_PG_BIN", "/usr/lib/postgresql/15/bin")
PASSWORD = "pg-secret-never-logged-7f3a"


def missing():
    """Why PostgreSQL cannot be started here, or None."""
    for prog in ("initdb", "postgres", "pg_ctl", "psql"):
        path = os.path.join(PG_BIN, prog)
        if not os.access(path, os.X_OK):
            alt = shutil.which(prog) if prog == "psql" else None
            if not alt:
                return f"{path} not found: install postgresql-15 (scripts/install-deps)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no user postgres to run PostgreSQL as"
        if not shutil.which("runuser"):
            return "running as root and runuser is missing"
    return None


def _psql():
    path = os.path.join(PG_BIN, "psql")
    return path if os.access(path, os.X_OK) else shutil.which("psql")


class Postgres:
    def __init__(self, port):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="tock-pg-")
        self.data = os.path.join(self.dir, "data")
        self.as_user = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres", "-E", "UTF8",
                   "--locale=C", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256"])
        self.start()
        self.sql(f"CREATE ROLE tock LOGIN PASSWORD '{PASSWORD}'", db="postgres")
        self.sql("CREATE DATABASE tock OWNER tock", db="postgres")
        self.url = f"postgresql://tock:{PASSWORD}@127.0.0.1:{port}/tock"

    def _run(self, args, timeout=60):
        proc = subprocess.run(self.as_user + args, capture_output=True, text=True, timeout=timeout,
                              cwd="/")
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {proc.stderr}{proc.stdout}")
        return proc.stdout

    def start(self):
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l",
                   os.path.join(self.dir, "postgres.log"), "-o", opts, "-w", "-t", "30", "start"])

    def stop(self, mode="fast"):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop"])

    def sql(self, query, db="tock"):
        """Runs |query| as the superuser over the socket; rows as lists of text."""
        out = self._run([_psql(), "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", db,
                         "-X", "-q", "-At", "-F", "\t", "-c", query])
        return [line.split("\t") for line in out.splitlines() if line]

    def cleanup(self):
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- tock serve instances on one database ---------------------------------

ISSUER = "http://tock.test"  # every instance is one issuer behind a load balancer
SECRET = "correct horse battery staple, 32+ bytes long"
AUDIENCE = "https://api.test"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def write_kek(path):
    """Writes a KEK as the docs say to make one: 32 random bytes, base64url, 0600."""
    import base64
    text = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    return path


def store_config(pg, kek_path, token="", replay=True, extra=""):
    """The config every instance shares (paths absolute)."""
    return f'''issuer = "{ISSUER}"
[token]
{token}
[limits]
token_rate = 1000
[store]
url = "{pg.url}"
kek_file = "{kek_path}"
{'[replay]' + chr(10) + 'backend = "postgres"' if replay else ''}
[[client]]
id = "svc"
secret = "{SECRET}"
scopes = ["read"]
audiences = ["{AUDIENCE}"]
{extra}
'''


def key_rows(pg):
    """tock_keys as (kid, activate_at, retired_at or None, kek_id), in publication order."""
    rows = pg.sql("SELECT kid, activate_at, coalesce(retired_at::text, ''), kek_id FROM tock_keys "
                  "ORDER BY activate_at, kid COLLATE \"C\"")
    return [(r[0], int(r[1]), int(r[2]) if r[2] else None, r[3]) for r in rows]


# The rotation leader's advisory lock (server/store/pg_schema.h: kRotationLeaderLock).
LEADER_LOCK = 0x746F636B0003


def leader_pid(pg):
    """The pid of the tock process holding the rotation lock, or None
    (application_name is "tock[PID]")."""
    rows = pg.sql("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                  f"WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {LEADER_LOCK >> 32} "
                  f"AND l.objid = {LEADER_LOCK & 0xFFFFFFFF}")
    for (name,) in rows:
        if name.startswith("tock[") and name.endswith("]"):
            return int(name[5:-1])
    return None
