"""Job levels and the referral bonus rules per level, against the real database: a posting's
level written, edited, listed, imported (a bad one reported by row number) and exported;
the bonus cascade (the job's own bonus, its level's rule, its department's rule, the rule for
every department), each step winning when present and falling through when absent."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Role
from services.postings import editing as postings
from services.postings import listings as jobs
from services.postings.listings import JobFilter
from services.referrals import rewards
from tests.db.referral_world import ReferralWorld, hire
from tests.db.rows import POSTING_FORM, add_account

# --- the level of a posting ------------------------------------------------------------------

def test_a_posting_keeps_its_level_through_writing_editing_and_listing(clean_db):
    recruiter = add_account(clean_db, "rita@example.com", role=Role.RECRUITER)
    job_id = postings.create_posting(recruiter, replace(POSTING_FORM, level="senior"))
    posting = postings.posting(recruiter, job_id)
    assert posting.job.level == "senior" and posting.form().level == "senior"
    assert posting.job.facts[:2] == ["Data", "Senior"]
    postings.update_posting(recruiter, job_id, replace(posting.form(), level="lead"))
    assert jobs.list_jobs(recruiter, statuses=jobs.ALL_STATUSES).rows[0].level == "lead"
    postings.update_posting(recruiter, job_id, replace(posting.form(), level=None))
    assert postings.posting(recruiter, job_id).job.level is None
    with pytest.raises(ValidationError, match="Level “principal” is not one of: intern, junior, mid"):
        postings.create_posting(recruiter, replace(POSTING_FORM, level="principal"))
    # The database holds the same list, whoever writes.
    with pytest.raises(sa.exc.IntegrityError), transaction(recruiter) as conn:
        conn.execute(sa.text("update public.jobs set level = 'principal' where id = :id"), {"id": job_id})


LEVEL_CSV = (
    "title,department,location,level\n"
    "Analyst,Finance,London,Senior\n"
    "Designer,Design,Lisbon,mid-level\n"
    "Writer,Content,Remote,Principal\n"
    "Engineer,Engineering,Berlin,\n"
    "Intern,Engineering,Berlin,intern\n"
)


def test_import_reads_levels_and_reports_a_bad_one_by_row_number(clean_db):
    recruiter = add_account(clean_db, "rita@example.com", role=Role.RECRUITER)
    result = postings.import_postings(recruiter, LEVEL_CSV.encode(), "postings.csv")
    assert result.added == 4
    [problem] = result.problems
    assert problem.row == 4
    assert problem.reason == ("level “Principal” is not one of: intern, junior, mid, senior, lead, "
                              "executive (or leave it empty)")
    levels = {j.title: j.level for j in jobs.list_jobs(recruiter, statuses=jobs.ALL_STATUSES).rows}
    assert levels == {"Analyst": "senior", "Designer": "mid", "Engineer": None, "Intern": "intern"}
    # The export carries the level, and goes back in as it is.
    data = postings.export_csv(recruiter, JobFilter(statuses=jobs.ALL_STATUSES, department="Finance"))
    [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert row["level"] == "senior"
    again = postings.import_postings(recruiter, data, "export.csv")
    assert (again.added, again.problems) == (1, [])


# --- bonus rules per level -------------------------------------------------------------------

def _set_job(w: ReferralWorld, **values) -> None:
    sets = ", ".join(f"{name} = :{name}" for name in values)
    with transaction(w.recruiter) as conn:
        conn.execute(sa.text(f"update public.jobs set {sets} where id = :j"),  # noqa: S608
                     values | {"j": w.job})


def _delete_department_rule(w: ReferralWorld, department: str) -> None:
    with transaction(w.recruiter) as conn:
        conn.execute(sa.text("delete from public.referral_bonus_rules where department = :d"),
                     {"d": department})


def _bonus(w: ReferralWorld) -> tuple[Decimal, int, str, str]:
    b = rewards.bonuses(w.recruiter, [w.referral])[w.referral]
    return b.amount, b.retention_days, b.amount_from, b.retention_from


def test_each_rule_of_the_cascade_wins_when_present(referral_world):
    _set_job(referral_world, level="senior")  # the referral_world's job: Engineering, no bonus of its own
    assert _bonus(referral_world) == (Decimal("0"), 90, "no rule (none applies)", "the default of 90 days")
    rewards.save_rule(referral_world.recruiter, "", 1000, 30)
    assert _bonus(referral_world) == (Decimal("1000"), 30, "the rule for every department",
                             "the rule for every department")
    rewards.save_rule(referral_world.recruiter, "Engineering", 1500, 60)
    assert _bonus(referral_world) == (Decimal("1500"), 60, "the Engineering department's rule",
                             "the Engineering department's rule")
    rewards.save_level_rule(referral_world.recruiter, "junior", 500, 10)  # another level's rule: no effect
    assert _bonus(referral_world)[:3] == (Decimal("1500"), 60, "the Engineering department's rule")
    rewards.save_level_rule(referral_world.recruiter, "senior", 2000, 120)
    assert _bonus(referral_world) == (Decimal("2000"), 120, "the Senior level's rule",
                                      "the Senior level's rule")
    _set_job(referral_world, referral_bonus=2500)
    assert _bonus(referral_world) == (Decimal("2500"), 120, "the job's own bonus", "the Senior level's rule")
    # The payout planned at the hire follows the same cascade.
    _set_job(referral_world, referral_bonus=None)
    (_, amount, due), = hire(referral_world, date(2026, 1, 10))
    assert (amount, due) == (Decimal("2000.00"), date(2026, 1, 10) + timedelta(days=120))


def test_each_rule_of_the_cascade_falls_through_when_absent(referral_world):
    _set_job(referral_world, level="senior", referral_bonus=2500)
    rewards.save_rule(referral_world.recruiter, "", 1000, 30)
    rewards.save_rule(referral_world.recruiter, "Engineering", 1500, 60)
    rewards.save_level_rule(referral_world.recruiter, "senior", 2000, 120)
    _set_job(referral_world, referral_bonus=None)
    assert _bonus(referral_world)[:3] == (Decimal("2000"), 120, "the Senior level's rule")
    rewards.delete_level_rule(referral_world.recruiter, "senior")
    assert _bonus(referral_world)[:3] == (Decimal("1500"), 60, "the Engineering department's rule")
    _delete_department_rule(referral_world, "Engineering")
    assert _bonus(referral_world)[:3] == (Decimal("1000"), 30, "the rule for every department")
    # A job without a level never takes a level's rule.
    rewards.save_level_rule(referral_world.recruiter, "senior", 2000, 120)
    _set_job(referral_world, level=None)
    assert _bonus(referral_world)[:3] == (Decimal("1000"), 30, "the rule for every department")
    _delete_department_rule(referral_world, "")
    assert _bonus(referral_world)[:3] == (Decimal("0"), 90, "no rule (none applies)")


def test_level_rules_are_checked_changed_and_deleted_by_staff_only(referral_world):
    for level, amount, days, message in ((None, 100, 90, "Choose a job level: one of Intern, Junior"),
                                         ("principal", 100, 90, "Choose a job level"),
                                         ("senior", -5, 90, "Bonus amount"),
                                         ("senior", 100, 731, "Retention period must be between 0 and 730"),
                                         ("senior", 100, -1, "Retention period")):
        with pytest.raises(ValidationError, match=message):
            rewards.save_level_rule(referral_world.recruiter, level, amount, days)
    with pytest.raises(ValidationError) as every:  # every problem at once, each for its field
        rewards.save_level_rule(referral_world.recruiter, None, float("nan"), None)
    assert [field for field, _ in every.value.problems] == ["level", "amount", "retention_days"]
    with pytest.raises(ValidationError) as every:
        rewards.save_rule(referral_world.recruiter, "D" * 101, -1, 900)
    assert [field for field, _ in every.value.problems] == ["department", "amount", "retention_days"]
    assert rewards.level_rules(referral_world.recruiter) == []
    rewards.save_level_rule(referral_world.recruiter, "senior", 2000, 120)
    rewards.save_level_rule(referral_world.admin, "intern", 300, 0)
    rewards.save_level_rule(referral_world.recruiter, "senior", 2200, 100)  # a second save changes it
    assert [(r.label, r.amount, r.retention_days) for r in rewards.level_rules(referral_world.recruiter)] == [
        ("Intern", Decimal("300.00"), 0), ("Senior", Decimal("2200.00"), 100)]
    with pytest.raises(PermissionDenied):
        rewards.save_level_rule(referral_world.priya, "lead", 100, 90)
    assert rewards.level_rules(referral_world.priya) == []  # not even readable
    rewards.delete_level_rule(referral_world.recruiter, "intern")
    with pytest.raises(NotFound):
        rewards.delete_level_rule(referral_world.recruiter, "intern")
    assert [r.level for r in rewards.level_rules(referral_world.admin)] == ["senior"]
