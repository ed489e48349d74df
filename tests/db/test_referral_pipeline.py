"""Following referrals: the stage history the trigger keeps, the referrer's notifications
(in the portal, and by email through a real SMTP server on this machine), bonus rules,
payouts due after the retention period, forfeits, and who marked each paid."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import NotFound, ValidationError
from services.referrals import pipeline, rewards
from tests.db.referral_world import hire
from tests.support import body


def test_every_stage_change_is_recorded_with_who_and_when(referral_world):
    for stage in ("reviewing", "interviewing", "not_selected"):
        pipeline.move(referral_world.recruiter, referral_world.referral, stage)
    events = pipeline.timelines(referral_world.priya, [referral_world.referral])[referral_world.referral]
    assert [e.stage for e in events] == ["submitted", "reviewing", "interviewing", "not_selected"]
    # Staff see who moved it; the referrer sees the stages and dates, not staff profiles.
    referral = referral_world.referral
    by = [e.changed_by for e in pipeline.timelines(referral_world.recruiter, [referral])[referral]]
    assert by == [None, "Recruiter", "Recruiter", "Recruiter"]
    assert events == sorted(events, key=lambda e: e.changed_at)
    # Any write moves it too, and the timeline follows the referral's stage, never a copy.
    with transaction(referral_world.admin) as conn:
        conn.execute(sa.text("update public.referrals set stage = 'offer' where id = :id"),
                     {"id": referral_world.referral})
    events = pipeline.timelines(referral_world.recruiter, [referral_world.referral])[referral_world.referral]
    assert events[-1].stage == "offer" and events[-1].changed_by == "Admin"
    assert pipeline.search(referral_world.recruiter, stage="offer").rows[0].id == referral_world.referral
    # Moving to the stage it already has records nothing.
    pipeline.move(referral_world.recruiter, referral_world.referral, "offer")
    referral = referral_world.referral
    assert len(pipeline.timelines(referral_world.recruiter, [referral])[referral]) == 5


def test_a_move_notifies_the_referrer_only(referral_world):
    pipeline.move(referral_world.recruiter, referral_world.referral, "interviewing")
    mine, unread = pipeline.notifications(referral_world.priya)
    assert unread == 1
    assert mine[0].message == "Ada Lovelace (Data Engineer) moved from Received to Interviewing."
    assert pipeline.notifications(referral_world.tom) == ([], 0)
    assert pipeline.notifications(referral_world.recruiter) == ([], 0)
    # Tom cannot mark Priya's read; Priya can.
    assert pipeline.mark_all_read(referral_world.tom) == 0
    assert pipeline.mark_all_read(referral_world.priya) == 1
    assert pipeline.notifications(referral_world.priya)[1] == 0


def test_a_move_emails_the_referrer_where_smtp_is_set(referral_world, smtp):
    assert pipeline.move(referral_world.recruiter, referral_world.referral, "reviewing").emailed
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["priya@example.com"]
    assert "Ada Lovelace (Data Engineer) moved from Received to Being reviewed." in body(message)


def test_a_move_without_smtp_is_still_notified(referral_world):
    assert not pipeline.move(referral_world.recruiter, referral_world.referral, "reviewing").emailed
    assert pipeline.notifications(referral_world.priya)[1] == 1


def test_referrers_cannot_move_stages_and_bad_stages_are_refused(referral_world):
    with pytest.raises(NotFound):
        pipeline.move(referral_world.priya, referral_world.referral, "hired")
    with pytest.raises(ValidationError, match="is not a stage"):
        pipeline.move(referral_world.recruiter, referral_world.referral, "promoted")


def test_board_and_filters(referral_world, engine):
    pipeline.move(referral_world.recruiter, referral_world.other, "interviewing")
    board = pipeline.board(referral_world.recruiter, per_stage=1)
    assert board["submitted"][1] == 1 and board["interviewing"][0][0].candidate_name == "Alan Turing"
    assert pipeline.search(referral_world.recruiter, referrer_id=referral_world.tom.user_id).total == 1
    assert pipeline.search(referral_world.recruiter, department="Engineering").total == 2
    assert pipeline.search(referral_world.recruiter, department="Sales").total == 0
    # The day the referrals were made, in UTC as the filters count it (not Python's today,
    # which may already be tomorrow if the test crosses midnight).
    with engine.connect() as conn:
        made = conn.scalar(sa.text("select min((created_at at time zone 'UTC')::date) from referrals"))
    assert pipeline.search(referral_world.recruiter, since=made, until=made).total == 2
    assert pipeline.search(referral_world.recruiter, until=made - timedelta(days=1)).total == 0
    with pytest.raises(ValidationError, match="after"):
        pipeline.search(referral_world.recruiter, since=made, until=made - timedelta(days=1))
    # Alumni see only their own.
    assert pipeline.search(referral_world.priya).total == 1


def test_board_plans_are_the_plans_of_the_boards_queries(referral_world):
    counts, cards = pipeline.board_plans(referral_world.recruiter, "interviewing", department="Sales")
    assert "Aggregate" in counts
    assert cards.startswith("Limit") and "actual time" in cards  # analyzed, not only estimated
    with pytest.raises(ValidationError, match="after"):
        pipeline.board_plans(referral_world.recruiter, "interviewing", since=date(2026, 2, 1),
                             until=date(2026, 1, 1))


def test_the_kept_stage_counts_match_the_referrals(referral_world, clean_db):
    def kept_and_counted():
        with clean_db.connect() as conn:
            kept = dict(conn.execute(sa.text(
                "select stage::text, referrals from public.referral_stage_counts"
                " where referrals <> 0")).all())
            counted = dict(conn.execute(sa.text(
                "select stage::text, count(*) from public.referrals group by stage")).all())
        return kept, counted

    pipeline.move(referral_world.recruiter, referral_world.other, "interviewing")
    pipeline.move(referral_world.recruiter, referral_world.other, "offer")
    pipeline.move(referral_world.recruiter, referral_world.referral, "offer")
    with clean_db.begin() as conn:  # many rows in one statement, and a delete
        conn.execute(sa.text("update public.referrals set stage = 'hired'"))
        conn.execute(sa.text("delete from public.referrals where id = :id"), {"id": referral_world.other})
    kept, counted = kept_and_counted()
    assert kept == counted == {"hired": 1}
    board = pipeline.board(referral_world.recruiter)
    assert {stage: n for stage, (_, n) in board.items() if n} == {"hired": 1}
    assert pipeline.search(referral_world.recruiter, stage="hired").total == 1


def test_bonus_comes_from_the_job_else_the_department_else_the_default(referral_world):
    rewards.save_rule(referral_world.recruiter, "", 1000, 90)
    rewards.save_rule(referral_world.recruiter, "Engineering", 1500, 120)
    (_, amount, due), = hire(referral_world, date(2026, 1, 10))
    assert amount == Decimal("1500.00") and due == date(2026, 1, 10) + timedelta(days=120)
    with pytest.raises(ValidationError, match="Retention period"):
        rewards.save_rule(referral_world.recruiter, "Sales", 100, 1000)
    with pytest.raises(ValidationError, match="Bonus amount"):
        rewards.save_rule(referral_world.recruiter, "Sales", -5, 90)
    with transaction(referral_world.recruiter) as conn:
        conn.execute(sa.text("update public.jobs set referral_bonus = 2500 where id = :j"),
                     {"j": referral_world.job})
    (_, amount, due), = rewards.record_start(referral_world.recruiter, referral_world.referral,
                                             date(2026, 1, 10))
    assert amount == Decimal("2500.00") and due == date(2026, 1, 10) + timedelta(days=120)


def test_default_retention_is_ninety_days_and_split_shares(referral_world):
    rewards.save_rule(referral_world.recruiter, "", 1000, 90)
    with pytest.raises(ValidationError, match="add up to 90%"):
        hire(referral_world, date(2026, 1, 1), {"priya@example.com": 60, "tom@example.com": 30})
    with pytest.raises(ValidationError, match="not an alumnus or employee"):
        hire(referral_world, date(2026, 1, 1), {"priya@example.com": 50, "recruiter@example.com": 50})
    planned = hire(referral_world, date(2026, 1, 1), {"priya@example.com": 60, "tom@example.com": 40})
    assert sorted((e, a) for e, a, _ in planned) == [("priya@example.com", Decimal("600.00")),
                                                     ("tom@example.com", Decimal("400.00"))]
    assert {d for *_, d in planned} == {date(2026, 4, 1)}
    # Each referrer sees only their own share.
    assert [p.amount for p in rewards.payouts(referral_world.tom).rows] == [Decimal("400.00")]
    assert rewards.payouts(referral_world.recruiter).total == 2


def test_start_date_needs_a_hire(referral_world):
    with pytest.raises(ValidationError, match="Move the referral to Hired"):
        rewards.record_start(referral_world.recruiter, referral_world.referral, date(2026, 1, 1))


def test_payouts_become_due_and_are_marked_paid_by_whom(referral_world):
    rewards.save_rule(referral_world.recruiter, "", 1000, 90)
    hire(referral_world, date.today() - timedelta(days=10))
    payout = rewards.payouts(referral_world.recruiter).rows[0]
    assert payout.status == "waiting"
    with pytest.raises(ValidationError, match="not due until"):
        rewards.mark_paid(referral_world.recruiter, payout.id)
    rewards.record_start(referral_world.recruiter, referral_world.referral, date.today() - timedelta(days=90))
    payout = rewards.payouts(referral_world.recruiter, status="due").rows[0]
    with pytest.raises(NotFound):
        rewards.mark_paid(referral_world.priya, payout.id)
    rewards.mark_paid(referral_world.admin, payout.id)
    paid = rewards.payouts(referral_world.recruiter, status="paid").rows[0]
    assert paid.paid_by == "Admin" and paid.paid_at is not None
    with pytest.raises(ValidationError, match="already paid"):
        rewards.mark_paid(referral_world.recruiter, payout.id)
    with pytest.raises(ValidationError, match="already paid"):
        rewards.record_start(referral_world.recruiter, referral_world.referral, date.today())
    # A paid payout is never rewritten, not even its payer.
    with (pytest.raises(ValidationError, match="already paid"),
          rewards._guarded(referral_world.recruiter) as conn):
        conn.execute(sa.text("update public.referral_payouts set paid_by = :p"),
                     {"p": referral_world.priya.user_id})


def test_a_hire_who_leaves_early_forfeits_what_is_not_yet_due(referral_world):
    rewards.save_rule(referral_world.recruiter, "", 1000, 90)
    start = date.today() - timedelta(days=30)
    hire(referral_world, start, {"priya@example.com": 50, "tom@example.com": 50})
    assert rewards.record_leaving(referral_world.recruiter, referral_world.referral,
                                  start + timedelta(days=20)) == 2
    assert {p.status for p in rewards.payouts(referral_world.recruiter).rows} == {"forfeited"}
    payout = rewards.payouts(referral_world.recruiter).rows[0]
    with pytest.raises(ValidationError, match="forfeited"):
        rewards.mark_paid(referral_world.recruiter, payout.id)
    assert [p.status for p in rewards.payouts(referral_world.priya).rows] == ["forfeited"]


def test_leaving_after_the_retention_period_keeps_the_bonus(referral_world):
    rewards.save_rule(referral_world.recruiter, "", 1000, 90)
    start = date.today() - timedelta(days=200)
    hire(referral_world, start)
    assert rewards.record_leaving(referral_world.recruiter, referral_world.referral,
                                  start + timedelta(days=150)) == 0
    assert rewards.payouts(referral_world.recruiter).rows[0].status == "due"


def test_payroll_csv_is_formula_safe(referral_world):
    with transaction(referral_world.recruiter) as conn:
        conn.execute(sa.text("update public.candidates set full_name = '=HYPERLINK(1)'"
                             " where email = 'ada@mail.test'"))
    rewards.save_rule(referral_world.recruiter, "", 1000, 0)
    hire(referral_world, date.today())
    text = rewards.payroll_csv(referral_world.recruiter, "due").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["Candidate"] == "'=HYPERLINK(1)" and rows[0]["Amount"] == "1000.0"
    assert rows[0]["Referrer email"] == "priya@example.com" and rows[0]["Status"] == "Due"

