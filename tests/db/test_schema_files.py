"""supabase/schemas/ shows what the migrations make: regenerated from a freshly migrated
database, the files must be the ones checked in; and applied in the order of their names to an
empty database, as `supabase db diff` applies them, they make the same schema."""

from __future__ import annotations

import os
import time

import psycopg
import pytest

from portal import embedded, migrations, schema_files


@pytest.fixture(scope="module")
def generated(engine) -> dict[str, str]:
    return schema_files.generate(engine)


def test_schema_files_agree_with_the_migrations(generated):
    checked_in = {path.name: path.read_text(encoding="utf-8")
                  for path in schema_files.SCHEMAS_DIR.glob("*.sql")}
    assert sorted(checked_in) == sorted(generated), "run `portal db schemas`"
    stale = [name for name in generated if checked_in[name] != generated[name]]
    assert stale == [], f"{', '.join(stale)} differ from the migrations: run `portal db schemas`"


def test_the_files_applied_in_order_make_what_the_migrations_make(engine, generated):
    name = f"from_schema_files_{os.getpid()}_{time.monotonic_ns()}"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'create database "{name}"')
    url = embedded.libpq_url(engine.url.set(database=name).render_as_string(hide_password=False))
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(migrations.BOOTSTRAP_SQL.read_text(encoding="utf-8"))  # what Supabase has
            for path in sorted(schema_files.SCHEMAS_DIR.glob("*.sql")):
                try:
                    conn.execute(path.read_text(encoding="utf-8"))
                except psycopg.Error as error:
                    pytest.fail(f"{path.name} does not apply after the files before it: {error}")
        built = schema_files.schema_of(url)
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'drop database if exists "{name}" with (force)')
    assert [file for file in generated if built[file] != generated[file]] == []


def test_every_rule_and_table_is_filed_once(generated):
    text = "\n".join(generated.values())
    for statement in ("CREATE TABLE public.referrals ", "CREATE FUNCTION private.me()",
                      "CREATE POLICY \"referrals: staff, and the referrer's own\""):
        assert text.count(statement) == 1, statement
    assert "\\restrict" not in text and "OWNER TO" not in text


def test_an_unfiled_object_is_named():
    dumped = ("--\n-- Name: mystery; Type: TABLE; Schema: public; Owner: -\n--\n\n"
              "CREATE TABLE public.mystery (id integer);\n")
    with pytest.raises(schema_files.UnfiledObject, match="mystery"):
        schema_files.render(dumped)
