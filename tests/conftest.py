"""One throwaway embedded PostgreSQL per test process.

With pytest-xdist (`-n auto`, the default in pyproject.toml) every worker starts a server
of its own in a data folder of its own, so workers never share a row or a lock; the
controlling process starts none. The server is started through the portal's own
`portal.embedded.start`, and the tests then reach it through `DATABASE_URL`, exactly as a
deployment on another Postgres would. Tests that touch data ask for `clean_db` (empty
tables) or `demo_db` (the demo data).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal import mail
from portal.settings import settings
from tests.fake_openai import fake_openai  # noqa: F401 - a fixture for every test module
from tests.support import SmtpReceiver, free_port, load_demo_into_empty_database, truncate_all

# Nothing of the developer's own configuration: no Supabase, no secrets file. The
# environment is inherited by the app servers and CLI processes the tests start.
for _name in ("SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "OPENAI_API_KEY",
              "OPENAI_BASE_URL", "OPENAI_MODEL", "SMTP_HOST", "DATABASE_URL"):
    os.environ.pop(_name, None)

_data_dir: Path | None = None


def _is_xdist_controller(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    global _data_dir
    if _is_xdist_controller(config):
        return  # the workers run the tests, each with its own server
    # Directly under the system's temporary folder, not pytest's: a later pytest run makes
    # its own folder private again, which would lock the server's user out of this one.
    _data_dir = Path(tempfile.mkdtemp(prefix="boomerang-tests-"))
    os.environ["PORTAL_SECRETS_FILE"] = str(_data_dir / "no-secrets.toml")
    os.environ["PORTAL_DATA_DIR"] = str(_data_dir)
    from portal import embedded

    os.environ["DATABASE_URL"] = embedded.start(_data_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _data_dir is None:
        return
    from portal import db, embedded

    db.forget_engine()
    embedded.stop(_data_dir)
    shutil.rmtree(_data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def engine() -> sa.Engine:
    from portal import db

    return db.ensure_ready()


@pytest.fixture
def clean_db(engine):
    truncate_all(engine)
    return engine


@pytest.fixture
def demo_db(engine):
    truncate_all(engine)
    load_demo_into_empty_database(engine)
    return engine


@pytest.fixture
def server_dir():
    """A data folder for a test's own embedded server, outside pytest's temporary folder
    (see pytest_configure), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="boomerang-server-"))
    yield path
    from portal import embedded

    embedded.stop(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on this machine, which the portal's mail settings point at."""
    receiver = SmtpReceiver()
    controller = Controller(receiver, hostname="127.0.0.1", port=free_port())
    controller.start()
    config = replace(settings(), smtp_host="127.0.0.1", smtp_port=controller.port,
                     smtp_starttls=False, smtp_from="Jobs <jobs@example.com>")
    monkeypatch.setattr(mail, "settings", lambda: config)
    yield receiver
    controller.stop()
