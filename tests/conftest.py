"""One throwaway embedded PostgreSQL for the whole test session.

It is started through the portal's own `portal.embedded.start`, and the tests then
reach it through `DATABASE_URL`, exactly as a deployment on another Postgres would.
Tests that touch data ask for `clean_db` (empty tables) or `demo_db` (the demo data).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

_DATA_DIR = Path(tempfile.mkdtemp(prefix="boomerang-tests-"))
# Nothing of the developer's own configuration: no Supabase, no secrets file. The
# environment is inherited by the app servers and CLI processes the tests start.
os.environ.pop("SUPABASE_URL", None)
os.environ.pop("SUPABASE_ANON_KEY", None)
for _name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "SMTP_HOST", "SUPABASE_SERVICE_ROLE_KEY"):
    os.environ.pop(_name, None)
os.environ["PORTAL_SECRETS_FILE"] = str(_DATA_DIR / "no-secrets.toml")
os.environ["PORTAL_DATA_DIR"] = str(_DATA_DIR)

from portal import db, embedded  # noqa: E402
from tests.fake_openai import fake_openai  # noqa: E402, F401 - a fixture for every test module
from tests.support import truncate_all  # noqa: E402

DATABASE_URL = embedded.start(_DATA_DIR)
os.environ["DATABASE_URL"] = DATABASE_URL

def pytest_sessionfinish(session, exitstatus):
    db.forget_engine()
    embedded.stop(_DATA_DIR)
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def engine() -> sa.Engine:
    return db.ensure_ready()


@pytest.fixture
def clean_db(engine):
    truncate_all(engine)
    return engine


@pytest.fixture
def demo_db(engine):
    from services import demo

    truncate_all(engine)
    demo.load_demo()
    return engine
