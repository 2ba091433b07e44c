"""Private PostgreSQL clusters for tests that stop, pause or replicate a server: each lives in a
temporary folder on a port of its own, so the shared server is never touched.

As root the server runs as the `postgres` OS user (PostgreSQL refuses to run as root);
otherwise as the current user. The binaries come from TWOWAY_PG_BIN, else the newest
/usr/lib/postgresql/<version>/bin, else the folder of `pg_ctl` on the PATH.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def postgres_wanted() -> bool:
    """The suite runs on PostgreSQL (DATABASE_URL): these tests must run, not skip."""
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pg_bin() -> Path | None:
    if os.environ.get("TWOWAY_PG_BIN"):
        return Path(os.environ["TWOWAY_PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for candidate in versions:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def require_postgres_binaries() -> Path:
    """The binaries, or a skip on a machine without PostgreSQL, or a failure when the suite
    runs on PostgreSQL (CI) but they cannot be found: never a silent skip there."""
    found = pg_bin()
    if found is not None:
        return found
    if postgres_wanted():
        pytest.fail("DATABASE_URL is PostgreSQL but initdb/pg_ctl were not found (set TWOWAY_PG_BIN)")
    pytest.skip("needs the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup); none on this machine")


class Cluster:
    def __init__(self, bin_dir: Path, port: int, base: Path | None = None, name: str = "primary"):
        self.bin = bin_dir
        self.port = port
        self.own_base = base is None
        self.base = base or Path(tempfile.mkdtemp(prefix="twoway-pgtest-"))
        self.data = self.base / name
        self.log = self.base / f"{name}.log"
        self.as_root = os.geteuid() == 0
        if self.own_base and self.as_root:
            shutil.chown(self.base, "postgres", "postgres")
        self.base.chmod(0o700)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/", check=False)
        if check and result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed: {result.stderr or result.stdout}\n{log}")
        return result

    def configure(self, **extra) -> None:
        settings = {
            "port": self.port,
            "listen_addresses": f"'{HOST}'",
            "unix_socket_directories": f"'{self.base}'",
            "max_connections": 40,
            "shared_buffers": "'32MB'",
            # A throw-away cluster: durability is not what these tests are about.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **extra,
        }
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())

    def init(self) -> "Cluster":
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.configure()
        return self

    def standby_of(self, primary: "Cluster") -> "Cluster":
        """A hot standby streaming from `primary`, made with pg_basebackup -R."""
        self.run(
            "pg_basebackup",
            "-h",
            HOST,
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",
            "-X",
            "stream",
            "--no-sync",
            "-c",
            "fast",
        )
        self.configure(hot_standby="on")
        return self

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop("immediate")
        if self.own_base:
            shutil.rmtree(self.base, ignore_errors=True)

    def sql(self, statement: str, db: str = "postgres") -> str:
        """One statement through psql; its result as plain text."""
        result = self.run(
            "psql", "-h", HOST, "-p", str(self.port), "-U", "postgres", "-d", db, "-XAtq", "-c", statement
        )
        return result.stdout.strip()

    def url(self, db: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{db}"


def django_env(**extra: str) -> dict:
    """The environment of a child process running the project against the given databases."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "twoway.settings",
            "TWOWAY_SECURE_COOKIES": "0",
            "TWOWAY_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p),
            **extra,
        }
    )
    return env


def manage(env: dict, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


TEMPLATE_DB = "twoway_h_replica"
PRIMARY_PORT, STANDBY_PORT = 55433, 55434


def migrated_clusters(config) -> tuple[Cluster, Cluster]:
    """One primary and its hot standby per test run, shared by the modules that need them, with
    the project's migrations applied to a template database (`TEMPLATE_DB`): a test takes its
    own copy with `CREATE DATABASE … TEMPLATE`, which takes a moment where migrating takes
    many seconds. Stopped and removed when the run ends, whatever its outcome."""
    shared = getattr(config, "_twoway_pg_clusters", None)
    if shared is not None:
        return shared
    bin_dir = require_postgres_binaries()
    primary = Cluster(bin_dir, PRIMARY_PORT)
    standby = Cluster(bin_dir, STANDBY_PORT, base=primary.base, name="standby")

    def remove():
        standby.stop("immediate")
        primary.remove()

    config.add_cleanup(remove)
    primary.init()
    primary.start()
    standby.standby_of(primary)
    standby.start()
    primary.sql(f"CREATE DATABASE {TEMPLATE_DB}")
    manage(django_env(DATABASE_URL=primary.url(TEMPLATE_DB)), "migrate", "--no-input", "-v0")
    config._twoway_pg_clusters = (primary, standby)
    return primary, standby


def database_from_template(primary: Cluster, name: str) -> str:
    primary.sql(f"DROP DATABASE IF EXISTS {name}")
    primary.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    return name


def wait_for(predicate, timeout: float = 20, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"gave up waiting for {what}")
