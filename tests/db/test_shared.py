"""Shared results (portal/shared.py): what every visitor may see is computed as a visitor,
kept per process, and computed again as soon as anything public changes, whoever changed
it and however; what every member of staff sees alike (the recruiters' overview), the same
until staff data changes."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from portal import shared
from portal.models import Actor, Page
from services import overview
from services.candidates import questions
from services.postings import company, editing, listings
from services.referrals import pipeline
from tests.support import signed_in

# Columns of public.jobs that visitors may not read (column privileges): none of them may
# reach a shared result, whoever asked first.
PRIVATE_JOB_VALUES = ("owner_id",)


def _published(engine, title="Senior Backend Engineer (Python)"):
    with engine.connect() as conn:
        return conn.execute(sa.text("select id from public.jobs where title = :t"), {"t": title}).scalar_one()


def test_a_change_shows_at_the_next_call_whoever_made_it(demo_db):
    recruiter = signed_in("recruiter@example.com")
    job_id = _published(demo_db)
    before = listings.board(page_size=100)
    assert job_id in [job.id for job in before.jobs.rows]
    assert listings.board(page_size=100) is before  # nothing changed: kept

    editing.move(recruiter, job_id, "closed", "filled")
    after = listings.board(page_size=100)
    assert job_id not in [job.id for job in after.jobs.rows]
    assert after.jobs.total == before.jobs.total - 1
    assert not listings.public_job(listings_visitor(), job_id).open

    # Plain SQL, outside the portal (another process, the CLI): seen as well.
    with demo_db.begin() as conn:
        conn.execute(sa.text("update public.company set name = 'Southwind' where id = 1"))
    assert listings.board(page_size=100).company.name == "Southwind"
    assert company.company_profile(recruiter).name == "Southwind"


def test_asking_a_question_keeps_the_answers_but_publishing_one_shows(demo_db):
    recruiter = signed_in("recruiter@example.com")
    visitor = listings_visitor()
    first = questions.faq(visitor)
    questions.ask(visitor, "How many days of holiday do new starters get each year?",
                  session_id="s1", address="192.0.2.1")
    assert questions.faq(visitor) is first  # a pending question is not public
    with demo_db.begin() as conn:
        conn.execute(sa.text(
            "update public.questions set status = 'published', answer = 'Thirty.', answered_at = now(),"
            " answered_by = :me where body like 'How many days of holiday%'"), {"me": recruiter.user_id})
    assert questions.faq(visitor).total == first.total + 1


def test_nothing_private_reaches_a_shared_result(demo_db):
    recruiter = signed_in("recruiter@example.com")
    shared.forget()
    job_id = _published(demo_db)
    # Staff ask first: what is kept is still what a visitor sees.
    listings.board(page_size=100)
    questions.faq(recruiter)
    questions.faq(recruiter, job_id=job_id)
    company.company_profile(recruiter)
    listings.public_job(listings_visitor(), job_id)
    with demo_db.connect() as conn:
        draft = conn.execute(sa.text("select id from public.jobs where status = 'draft' limit 1"))\
            .scalar_one()
    assert listings.public_job(recruiter, draft) is not None  # staff preview a draft: their own view
    kept = shared.kept()
    assert kept
    for _, value in kept:
        for item in _items(value):
            for column in PRIVATE_JOB_VALUES:
                assert getattr(item, column, None) is None, (column, item)
            assert getattr(item, "status", "published") in ("published", "closed")
    assert all(key != ("job", draft) for key, _ in kept)  # the draft was never shared


def _items(value):
    if isinstance(value, Page):
        yield from value.rows
    elif isinstance(value, list):
        yield from value
    elif dataclasses.is_dataclass(value):
        yield value
        for field in dataclasses.fields(value):
            yield from _items(getattr(value, field.name))


def listings_visitor() -> Actor:
    return Actor.visitor()


def test_one_run_reads_the_version_once_unless_it_opens_a_transaction(demo_db, monkeypatch):
    reads = []
    read = shared.data_version
    monkeypatch.setattr(shared, "data_version", lambda: reads.append(1) or read())
    visitor = listings_visitor()
    with shared.one_version_per_run():
        listings.board()
        questions.faq(visitor)
        company.company_profile(visitor)
        assert len(reads) == 1
        editing.move(signed_in("recruiter@example.com"), _published(demo_db), "closed", "filled")
        assert _published(demo_db) not in [job.id for job in listings.board(page_size=100).jobs.rows]
        assert len(reads) == 2  # read again after this thread's own transaction
    listings.board()
    listings.board()
    assert len(reads) == 4  # outside a run: every call asks


def test_the_overview_is_shared_by_staff_until_staff_data_changes(demo_db):
    recruiter, admin = signed_in("recruiter@example.com"), signed_in("admin@example.com")
    board = listings.board(page_size=100)
    first = overview.recruiting_overview(recruiter)
    assert overview.recruiting_overview(admin) is first  # nothing changed: kept, for all staff

    # A question asked is staff data, not public: the overview counts it at the next call,
    # the board (and every visitor's result) stays kept.
    questions.ask(listings_visitor(), "How many days of holiday do new starters get each year?",
                  session_id="s1", address="192.0.2.1")
    asked = overview.recruiting_overview(recruiter)
    assert asked.unanswered_questions == first.unanswered_questions + 1
    assert listings.board(page_size=100) is board

    # A referral turned down, and (plain SQL, outside the portal) a hire dated long ago.
    with demo_db.connect() as conn:
        referral_id = conn.execute(sa.text(
            "select id from public.referrals where outcome = 'owner'"
            " and stage::text not in ('hired', 'not_selected') order by id limit 1")).scalar_one()
    pipeline.move(recruiter, referral_id, "not_selected", reason="skills")
    with demo_db.begin() as conn:
        conn.execute(sa.text(
            "update public.hires set hire_date = date '2001-01-01' where id = (select id from"
            " public.hires where hire_date >= current_date - 100 order by id limit 1)"))
    moved = overview.recruiting_overview(admin)
    assert moved.active_referrals == first.active_referrals - 1
    assert moved.hires_last_12_months == first.hires_last_12_months - 1
    assert listings.board(page_size=100) is board
