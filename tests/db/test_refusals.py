"""portal.db.translate_refusals against the real database: each kind of refusal becomes the
portal's error with the use case's words, our own SQL's RAISE keeps its words, and a refusal
nobody put in words propagates unchanged."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.db import translate_refusals
from portal.errors import NotFound, PermissionDenied, ValidationError

WORDS = {"denied": "Only testers may.", "duplicate": "That one exists.", "misfit": "That does not fit.",
         "missing": "That parent is gone."}


@pytest.fixture(scope="module")
def conn(engine):
    with engine.connect() as conn:
        conn.exec_driver_sql("create temp table refusal_parents (id int primary key)")
        conn.exec_driver_sql(
            "create temp table refusal_rows (id int primary key, size int check (size > 0),"
            " parent int references refusal_parents)")
        conn.exec_driver_sql("insert into refusal_rows values (1, 1, null)")
        conn.commit()
        yield conn


def _run(conn: sa.Connection, sql: str, **words) -> None:
    with translate_refusals(**words), conn.begin():
        conn.exec_driver_sql(sql)


def _raise(message: str, errcode: str) -> str:
    """A PL/pgSQL RAISE, as our functions and triggers do."""
    return f"do $$ begin raise exception '{message}' using errcode = '{errcode}'; end $$"


@pytest.mark.parametrize(("sql", "error", "message"), [
    ("insert into refusal_rows values (1, 1, null)", ValidationError, "That one exists."),
    ("insert into refusal_rows values (2, 0, null)", ValidationError, "That does not fit."),
    ("insert into refusal_rows values (3, 1, 99)", NotFound, "That parent is gone."),
    ("set local role anon; insert into refusal_rows values (4, 1, null)", PermissionDenied,
     "Only testers may."),
])
def test_postgres_own_refusals_take_the_use_cases_words(conn, sql, error, message):
    with pytest.raises(error) as refused:
        _run(conn, sql, **WORDS)
    assert str(refused.value) == message
    assert refused.value.__cause__ is None and refused.value.__suppress_context__  # no SQL for users


@pytest.mark.parametrize("sql", [
    "insert into refusal_rows values (1, 1, null)",
    "insert into refusal_rows values (2, 0, null)",
    "insert into refusal_rows values (3, 1, 99)",
    "set local role anon; insert into refusal_rows values (4, 1, null)",
    "select 1 / 0",  # not a refusal at all
])
def test_a_refusal_without_words_propagates_unchanged(conn, sql):
    with pytest.raises(sa.exc.DBAPIError):
        _run(conn, sql)


@pytest.mark.parametrize(("raised", "errcode", "error", "message"), [
    ("a draft post cannot become published", "check_violation", ValidationError,
     "A draft post cannot become published."),
    ("only publishers write posts", "insufficient_privilege", PermissionDenied,
     "Only publishers write posts."),
    ("This invitation was used already.", "P0001", ValidationError, "This invitation was used already."),
    ("This job is no longer open.", "P0002", NotFound, "This job is no longer open."),
    ("Please wait an hour and ask again!", "P0003", ValidationError, "Please wait an hour and ask again!"),
])
def test_our_own_raise_keeps_its_words_as_a_sentence(conn, raised, errcode, error, message):
    with pytest.raises(error) as refused:
        _run(conn, _raise(raised, errcode), **WORDS)  # declared words are for Postgres's own
    assert str(refused.value) == message


def test_a_refused_privilege_can_count_as_input_to_correct(conn):
    with pytest.raises(ValidationError, match="^You cannot change your own role.$"):
        _run(conn, _raise("You cannot change your own role.", "42501"), denied_as=ValidationError)
    with pytest.raises(ValidationError, match="^Only testers may.$"):
        _run(conn, "set local role anon; insert into refusal_rows values (4, 1, null)",
             denied="Only testers may.", denied_as=ValidationError)


def test_a_refusal_at_commit_is_translated_too(conn):
    conn.exec_driver_sql("create temp table refusal_later (id int unique deferrable initially deferred)")
    conn.commit()
    with pytest.raises(ValidationError, match="That one exists"):
        _run(conn, "insert into refusal_later values (1), (1)", duplicate="That one exists.")
