"""Applies `supabase/migrations/*.sql` the way the Supabase CLI does.

Each file runs in its own transaction and is recorded in
`supabase_migrations.schema_migrations`, so `supabase db push` and the portal agree
on what has been applied. On a Postgres that is not Supabase, a bootstrap first
creates what Supabase would have provided (roles, `auth.users`, `auth.uid()`…).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from portal.settings import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "supabase" / "migrations"
BOOTSTRAP_SQL = Path(__file__).parent / "sql" / "supabase_bootstrap.sql"
_FILE_NAME = re.compile(r"^(?P<version>\d{14})_(?P<name>[a-z0-9_]+)\.sql$")
# Any fixed number shared by every process that migrates this database.
_ADVISORY_LOCK_KEY = 0x626F6F6D  # "boom"

_log = logging.getLogger(__name__)


class MigrationError(Exception):
    """A migration file failed; nothing of that file was applied."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    if not directory.is_dir():
        raise MigrationError(f"No migrations folder at {directory}. Install the portal from its "
                             "checkout with `pip install -e .`, which keeps supabase/ beside it.")
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(
                f"{path.name}: migration files are named <14-digit timestamp>_<name>.sql"
            )
        migrations.append(Migration(match["version"], match["name"], path))
    return migrations


def is_supabase(conn: Connection) -> bool:
    """Supabase's own auth service role exists on every Supabase database."""
    return bool(conn.execute(sa.text("select 1 from pg_roles where rolname = 'supabase_auth_admin'"))
                .scalar())


def applied_versions(conn: Connection) -> set[str]:
    rows = conn.execute(sa.text("select version from supabase_migrations.schema_migrations"))
    return {row.version for row in rows}


def upgrade(engine: Engine, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the pending migrations in order; return the versions applied."""
    migrations = discover(directory)
    applied: list[str] = []
    with engine.connect() as conn:
        # One migrating process at a time; the others wait, then find nothing to do.
        conn.execute(sa.text("select pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
        conn.commit()
        try:
            with conn.begin():
                if not is_supabase(conn):
                    conn.exec_driver_sql(BOOTSTRAP_SQL.read_text(encoding="utf-8"))
                conn.exec_driver_sql(
                    "create schema if not exists supabase_migrations;"
                    "create table if not exists supabase_migrations.schema_migrations"
                    " (version text primary key, statements text[], name text)"
                )
            done = applied_versions(conn)
            conn.commit()
            for migration in migrations:
                if migration.version in done:
                    continue
                _apply(conn, migration)
                applied.append(migration.version)
        finally:
            conn.execute(sa.text("select pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK_KEY})
            conn.commit()
    return applied


def _apply(conn: Connection, migration: Migration) -> None:
    sql = migration.sql
    try:
        with conn.begin():
            # Straight to the driver without parameters, so that `%` (as in `%rowtype`)
            # is SQL, not a placeholder.
            with conn.connection.cursor() as cursor:
                cursor.execute(sql)
            conn.execute(
                sa.text(
                    "insert into supabase_migrations.schema_migrations (version, statements, name)"
                    " values (:version, array[:sql], :name)"
                ),
                {"version": migration.version, "sql": sql, "name": migration.name},
            )
    except (sa.exc.DBAPIError, psycopg.Error) as error:
        cause = getattr(error, "orig", None) or error
        reason = str(cause).strip().splitlines()[0]
        raise MigrationError(f"{migration.path.name}: {reason}") from error
    _log.info("applied migration %s", migration.path.name)
