"""portal.db.one_transaction: a screen's reads through several capabilities' functions are one
transaction as the viewer, and nothing else is drawn into it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import db
from portal.models import Actor

BACKEND_PID = sa.text("select pg_backend_pid(), txid_current_if_assigned(), now()")


def _inner(actor: Actor):
    """What a capability's read does: its own transaction(actor)."""
    with db.transaction(actor) as conn:
        return conn.execute(BACKEND_PID).one()


def test_reads_as_the_same_actor_join_one_transaction(team):
    before = db.transactions_opened()
    with db.one_transaction(team.recruiter):
        first, second = _inner(team.recruiter), _inner(team.recruiter)
    assert db.transactions_opened() - before == 1
    assert first.pg_backend_pid == second.pg_backend_pid
    assert first.now == second.now  # now() is the transaction's start: one snapshot


def test_another_actor_and_later_reads_get_their_own(team):
    with db.one_transaction(team.recruiter):
        recruiter = _inner(team.recruiter)
        visitor = _inner(Actor.visitor())  # the shared public views read as a visitor
        with db.transaction(Actor.visitor()) as conn:
            assert conn.execute(sa.text("select current_user")).scalar_one() == "anon"
        assert _inner(team.recruiter).now == recruiter.now  # back in the block's transaction
    assert visitor.now != recruiter.now or visitor.pg_backend_pid != recruiter.pg_backend_pid
    assert _inner(team.recruiter).now != recruiter.now  # after the block: a new transaction


def test_a_refusal_inside_rolls_the_whole_block_back(team, clean_db):
    with clean_db.begin() as conn:
        conn.execute(sa.text("insert into public.company (name) values ('Before')"))
    with pytest.raises(RuntimeError), db.one_transaction(team.admin):
        with db.transaction(team.admin) as conn:
            renamed = conn.execute(sa.text("update public.company set name = 'Renamed in the block'"))
            assert renamed.rowcount == 1
        raise RuntimeError("the page failed after the first write")
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.company"
                                    " where name = 'Renamed in the block'")).scalar_one() == 0
