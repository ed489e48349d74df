"""Following referrals: the stage history the trigger keeps, the referrer's notifications
(in the portal, and by email through a real SMTP server on this machine), bonus rules,
payouts due after the retention period, forfeits, and who marked each paid."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Role
from services import referral_pipeline as pipeline
from services import referral_rewards as rewards
from services.accounts import create_account
from tests.db.test_inbox import _body, smtp  # noqa: F401 - the SMTP receiver fixture


@dataclass
class World:
    recruiter: Actor
    admin: Actor
    priya: Actor
    tom: Actor
    job: UUID
    referral: UUID
    other: UUID


def _actor(conn, email: str, name: str, role: Role) -> Actor:
    return Actor(user_id=create_account(conn, email, name, role, None), email=email, role=role,
                 full_name=name)


@pytest.fixture
def world(clean_db) -> World:
    with clean_db.begin() as conn:
        people = {key: _actor(conn, f"{key}@example.com", key.title(), role) for key, role in (
            ("recruiter", Role.RECRUITER), ("admin", Role.ADMIN), ("priya", Role.ALUMNUS),
            ("tom", Role.EMPLOYEE))}
        job = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, status)"
            " values ('Data Engineer', 'Engineering', 'Berlin', 'published') returning id")).scalar_one()
        ids = []
        for name, referrer in (("Ada Lovelace", "priya"), ("Alan Turing", "tom")):
            candidate = conn.execute(sa.text(
                "insert into public.candidates (full_name, email) values (:n, :e) returning id"),
                {"n": name, "e": name.split()[0].lower() + "@mail.test"}).scalar_one()
            ids.append(conn.execute(sa.text(
                "insert into public.referrals (referrer_id, candidate_id, job_id) values (:r, :c, :j)"
                " returning id"), {"r": people[referrer].user_id, "c": candidate, "j": job}).scalar_one())
    return World(**people, job=job, referral=ids[0], other=ids[1])


def _hire(world: World, start: date, shares=None):
    pipeline.move(world.recruiter, world.referral, "hired")
    return rewards.record_start(world.recruiter, world.referral, start, shares)


def test_every_stage_change_is_recorded_with_who_and_when(world):
    for stage in ("reviewing", "interviewing", "not_selected"):
        pipeline.move(world.recruiter, world.referral, stage)
    events = pipeline.timelines(world.priya, [world.referral])[world.referral]
    assert [e.stage for e in events] == ["submitted", "reviewing", "interviewing", "not_selected"]
    # Staff see who moved it; the referrer sees the stages and dates, not staff profiles.
    by = [e.changed_by for e in pipeline.timelines(world.recruiter, [world.referral])[world.referral]]
    assert by == [None, "Recruiter", "Recruiter", "Recruiter"]
    assert events == sorted(events, key=lambda e: e.changed_at)
    # Any write moves it too, and the timeline follows the referral's stage, never a copy.
    with transaction(world.admin) as conn:
        conn.execute(sa.text("update public.referrals set stage = 'offer' where id = :id"),
                     {"id": world.referral})
    events = pipeline.timelines(world.recruiter, [world.referral])[world.referral]
    assert events[-1].stage == "offer" and events[-1].changed_by == "Admin"
    assert pipeline.search(world.recruiter, stage="offer").rows[0].id == world.referral
    # Moving to the stage it already has records nothing.
    pipeline.move(world.recruiter, world.referral, "offer")
    assert len(pipeline.timelines(world.recruiter, [world.referral])[world.referral]) == 5


def test_a_move_notifies_the_referrer_only(world):
    pipeline.move(world.recruiter, world.referral, "interviewing")
    mine, unread = pipeline.notifications(world.priya)
    assert unread == 1
    assert mine[0].message == "Ada Lovelace (Data Engineer) moved from Submitted to Interviewing."
    assert pipeline.notifications(world.tom) == ([], 0)
    assert pipeline.notifications(world.recruiter) == ([], 0)
    # Tom cannot mark Priya's read; Priya can.
    assert pipeline.mark_all_read(world.tom) == 0
    assert pipeline.mark_all_read(world.priya) == 1
    assert pipeline.notifications(world.priya)[1] == 0


def test_a_move_emails_the_referrer_where_smtp_is_set(world, smtp):  # noqa: F811
    assert pipeline.move(world.recruiter, world.referral, "reviewing").emailed
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["priya@example.com"]
    assert "Ada Lovelace (Data Engineer) moved from Submitted to Reviewing." in _body(message)


def test_a_move_without_smtp_is_still_notified(world):
    assert not pipeline.move(world.recruiter, world.referral, "reviewing").emailed
    assert pipeline.notifications(world.priya)[1] == 1


def test_referrers_cannot_move_stages_and_bad_stages_are_refused(world):
    with pytest.raises(NotFound):
        pipeline.move(world.priya, world.referral, "hired")
    with pytest.raises(ValidationError, match="is not a stage"):
        pipeline.move(world.recruiter, world.referral, "promoted")


def test_board_and_filters(world):
    pipeline.move(world.recruiter, world.other, "interviewing")
    board = pipeline.board(world.recruiter, per_stage=1)
    assert board["submitted"][1] == 1 and board["interviewing"][0][0].candidate_name == "Alan Turing"
    assert pipeline.search(world.recruiter, referrer_id=world.tom.user_id).total == 1
    assert pipeline.search(world.recruiter, department="Engineering").total == 2
    assert pipeline.search(world.recruiter, department="Sales").total == 0
    assert pipeline.search(world.recruiter, since=date.today(), until=date.today()).total == 2
    assert pipeline.search(world.recruiter, until=date.today() - timedelta(days=1)).total == 0
    with pytest.raises(ValidationError, match="after"):
        pipeline.search(world.recruiter, since=date.today(), until=date.today() - timedelta(days=1))
    # Alumni see only their own.
    assert pipeline.search(world.priya).total == 1


def test_the_kept_stage_counts_match_the_referrals(world, clean_db):
    def kept_and_counted():
        with clean_db.connect() as conn:
            kept = dict(conn.execute(sa.text(
                "select stage::text, referrals from public.referral_stage_counts"
                " where referrals <> 0")).all())
            counted = dict(conn.execute(sa.text(
                "select stage::text, count(*) from public.referrals group by stage")).all())
        return kept, counted

    pipeline.move(world.recruiter, world.other, "interviewing")
    pipeline.move(world.recruiter, world.other, "offer")
    pipeline.move(world.recruiter, world.referral, "offer")
    with clean_db.begin() as conn:  # many rows in one statement, and a delete
        conn.execute(sa.text("update public.referrals set stage = 'hired'"))
        conn.execute(sa.text("delete from public.referrals where id = :id"), {"id": world.other})
    kept, counted = kept_and_counted()
    assert kept == counted == {"hired": 1}
    board = pipeline.board(world.recruiter)
    assert {stage: n for stage, (_, n) in board.items() if n} == {"hired": 1}
    assert pipeline.search(world.recruiter, stage="hired").total == 1


def test_bonus_comes_from_the_job_else_the_department_else_the_default(world):
    rewards.save_rule(world.recruiter, "", 1000, 90)
    rewards.save_rule(world.recruiter, "Engineering", 1500, 120)
    (_, amount, due), = _hire(world, date(2026, 1, 10))
    assert amount == Decimal("1500.00") and due == date(2026, 1, 10) + timedelta(days=120)
    with pytest.raises(ValidationError, match="Retention period"):
        rewards.save_rule(world.recruiter, "Sales", 100, 1000)
    with pytest.raises(ValidationError, match="Bonus amount"):
        rewards.save_rule(world.recruiter, "Sales", -5, 90)
    with transaction(world.recruiter) as conn:
        conn.execute(sa.text("update public.jobs set referral_bonus = 2500 where id = :j"), {"j": world.job})
    (_, amount, due), = rewards.record_start(world.recruiter, world.referral, date(2026, 1, 10))
    assert amount == Decimal("2500.00") and due == date(2026, 1, 10) + timedelta(days=120)


def test_default_retention_is_ninety_days_and_split_shares(world):
    rewards.save_rule(world.recruiter, "", 1000, 90)
    with pytest.raises(ValidationError, match="add up to 90%"):
        _hire(world, date(2026, 1, 1), {"priya@example.com": 60, "tom@example.com": 30})
    with pytest.raises(ValidationError, match="not an alumnus or employee"):
        _hire(world, date(2026, 1, 1), {"priya@example.com": 50, "recruiter@example.com": 50})
    planned = _hire(world, date(2026, 1, 1), {"priya@example.com": 60, "tom@example.com": 40})
    assert sorted((e, a) for e, a, _ in planned) == [("priya@example.com", Decimal("600.00")),
                                                     ("tom@example.com", Decimal("400.00"))]
    assert {d for *_, d in planned} == {date(2026, 4, 1)}
    # Each referrer sees only their own share.
    assert [p.amount for p in rewards.payouts(world.tom).rows] == [Decimal("400.00")]
    assert rewards.payouts(world.recruiter).total == 2


def test_start_date_needs_a_hire(world):
    with pytest.raises(ValidationError, match="Move the referral to Hired"):
        rewards.record_start(world.recruiter, world.referral, date(2026, 1, 1))


def test_payouts_become_due_and_are_marked_paid_by_whom(world):
    rewards.save_rule(world.recruiter, "", 1000, 90)
    _hire(world, date.today() - timedelta(days=10))
    payout = rewards.payouts(world.recruiter).rows[0]
    assert payout.status == "waiting"
    with pytest.raises(ValidationError, match="not due until"):
        rewards.mark_paid(world.recruiter, payout.id)
    rewards.record_start(world.recruiter, world.referral, date.today() - timedelta(days=90))
    payout = rewards.payouts(world.recruiter, status="due").rows[0]
    with pytest.raises(NotFound):
        rewards.mark_paid(world.priya, payout.id)
    rewards.mark_paid(world.admin, payout.id)
    paid = rewards.payouts(world.recruiter, status="paid").rows[0]
    assert paid.paid_by == "Admin" and paid.paid_at is not None
    with pytest.raises(ValidationError, match="already paid"):
        rewards.mark_paid(world.recruiter, payout.id)
    with pytest.raises(ValidationError, match="already paid"):
        rewards.record_start(world.recruiter, world.referral, date.today())
    # A paid payout is never rewritten, not even its payer.
    with pytest.raises(ValidationError, match="already paid"), rewards._guarded(world.recruiter) as conn:
        conn.execute(sa.text("update public.referral_payouts set paid_by = :p"), {"p": world.priya.user_id})


def test_a_hire_who_leaves_early_forfeits_what_is_not_yet_due(world):
    rewards.save_rule(world.recruiter, "", 1000, 90)
    start = date.today() - timedelta(days=30)
    _hire(world, start, {"priya@example.com": 50, "tom@example.com": 50})
    assert rewards.record_leaving(world.recruiter, world.referral, start + timedelta(days=20)) == 2
    assert {p.status for p in rewards.payouts(world.recruiter).rows} == {"forfeited"}
    payout = rewards.payouts(world.recruiter).rows[0]
    with pytest.raises(ValidationError, match="forfeited"):
        rewards.mark_paid(world.recruiter, payout.id)
    assert [p.status for p in rewards.payouts(world.priya).rows] == ["forfeited"]


def test_leaving_after_the_retention_period_keeps_the_bonus(world):
    rewards.save_rule(world.recruiter, "", 1000, 90)
    start = date.today() - timedelta(days=200)
    _hire(world, start)
    assert rewards.record_leaving(world.recruiter, world.referral, start + timedelta(days=150)) == 0
    assert rewards.payouts(world.recruiter).rows[0].status == "due"


def test_payroll_csv_is_formula_safe(world):
    with transaction(world.recruiter) as conn:
        conn.execute(sa.text("update public.candidates set full_name = '=HYPERLINK(1)'"
                             " where email = 'ada@mail.test'"))
    rewards.save_rule(world.recruiter, "", 1000, 0)
    _hire(world, date.today())
    text = rewards.payroll_csv(world.recruiter, "due").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["Candidate"] == "'=HYPERLINK(1)" and rows[0]["Amount"] == "1000.0"
    assert rows[0]["Referrer email"] == "priya@example.com" and rows[0]["Status"] == "Due"

