"""The referral tallies the database keeps (migration 20261211000000: per job and stage, per
day and job, per day and referrer, per referrer) always equal what the referrals themselves
add up to, whatever is done to the referrals; and the figures read from them are the
figures counted from the referrals."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from portal.models import Actor, Role
from services.people.accounts import create_account
from services.referrals import pipeline, recognition
from services.referrals import programme_figures as rf
from services.referrals.stages import STAGES

# Each tally as the database keeps it, and the same counted from the referrals.
_CREDITED_SUMS = ("count(*), count(*) filter (where interviewed_at is not null),"
                  " count(*) filter (where stage = 'hired')")
TALLIES = {
    "referral_job_counts": (
        "select job_id, stage::text, referrals from public.referral_job_counts",
        "select job_id, stage::text, count(*) from public.referrals group by 1, 2"),
    "referral_day_totals": (
        "select day, job_id, referrals, interviews, hires from public.referral_day_totals",
        f"select (created_at at time zone 'UTC')::date, job_id, {_CREDITED_SUMS}"  # noqa: S608
        " from public.referrals where outcome = 'owner' group by 1, 2"),
    "referrer_day_totals": (
        "select day, referrer_id, referrals, interviews, hires from public.referrer_day_totals",
        f"select (created_at at time zone 'UTC')::date, referrer_id, {_CREDITED_SUMS}"  # noqa: S608
        " from public.referrals where outcome = 'owner' group by 1, 2"),
    "referrer_totals": (
        "select referrer_id, referrals, interviews, hires from public.referrer_totals",
        f"select referrer_id, {_CREDITED_SUMS} from public.referrals where outcome = 'owner' group by 1"),  # noqa: S608
}


def assert_tallies_match(conn) -> None:
    for table, (kept_sql, counted_sql) in TALLIES.items():
        # A group whose referrals all went is kept at zero (readers skip it).
        kept = sorted((tuple(row) for row in conn.execute(sa.text(kept_sql)).all()
                       if any(v for v in row if isinstance(v, int))), key=str)
        counted = sorted(map(tuple, conn.execute(sa.text(counted_sql)).all()), key=str)
        assert kept == counted, table


def _people(engine, referrers: int) -> tuple[Actor, list[Actor], list]:
    with engine.begin() as conn:
        recruiter = Actor(create_account(conn, "rita@example.com", "Rita", Role.RECRUITER, None),
                          "rita@example.com", Role.RECRUITER, "Rita")
        alumni = [Actor(create_account(conn, f"alum{n}@example.com", f"Alum {n}", Role.ALUMNUS, None),
                        f"alum{n}@example.com", Role.ALUMNUS, f"Alum {n}") for n in range(referrers)]
        jobs = [conn.execute(sa.text(
            "insert into public.jobs (title, department, location, status)"
            " values (:t, :d, 'Berlin', 'published') returning id"),
            {"t": f"Job {n}", "d": ("Engineering", "Sales")[n % 2]}).scalar_one() for n in range(4)]
    return recruiter, alumni, jobs


def _insert(conn, rng: random.Random, alumni: list[Actor], jobs: list, count: int,
            stages: tuple[str, ...] = STAGES) -> None:
    rows = []
    for _ in range(count):
        # Around midnight UTC on either side, so a day's edge is crossed.
        created = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 70))
                   + timedelta(hours=rng.choice([0, 1, 12, 23]), minutes=rng.choice([0, 59])))
        rows.append({"referrer": rng.choice(alumni).user_id, "job": rng.choice([*jobs, None]),
                     "stage": rng.choice(stages), "created": created,
                     "outcome": rng.choice(["owner", "owner", "duplicate", "applied_first"])})
    candidates = conn.execute(sa.text(
        "insert into public.candidates (full_name, email)"
        " select 'Person', 'p' || gen_random_uuid() || '@mail.test' from generate_series(1, :n)"
        " returning id"), {"n": count}).scalars().all()
    # One statement, as the portal adds referrals (a list of parameters would be one statement each).
    conn.execute(sa.text(
        "insert into public.referrals (referrer_id, candidate_id, job_id, stage, created_at,"
        " stage_changed_at, outcome)"
        " select r.referrer, r.candidate, r.job, r.stage, r.created, r.created, r.outcome"
        " from jsonb_to_recordset(cast(:rows as jsonb)) as r (referrer uuid, candidate uuid, job uuid,"
        "      stage public.referral_stage, created timestamptz, outcome text)"),
        {"rows": json.dumps([{**row, "candidate": c} for row, c in zip(rows, candidates, strict=True)],
                            default=str)})


@pytest.mark.parametrize("seed", range(4))
def test_tallies_follow_every_change_to_the_referrals(clean_db, seed):
    rng = random.Random(seed)
    recruiter, alumni, jobs = _people(clean_db, 5)
    with clean_db.begin() as conn:
        _insert(conn, rng, alumni, jobs, 40)
        assert_tallies_match(conn)
    for _ in range(25):
        operation = rng.choice(["insert", "move", "move_many", "outcome", "job", "delete",
                                "delete_job", "delete_referrer", "untouched_column"])
        with clean_db.connect() as conn:
            some = conn.execute(sa.text("select id from public.referrals order by id limit 5 offset :n"),
                                {"n": rng.randint(0, 20)}).scalars().all()
        if operation == "move" and some:  # as the recruiters' board moves one
            pipeline.move(recruiter, some[0], rng.choice(STAGES))
        with clean_db.begin() as conn:
            if operation == "insert":
                _insert(conn, rng, alumni, jobs, rng.randint(1, 15))
            elif operation == "move_many":
                conn.execute(sa.text("update public.referrals set stage = cast(:s as public.referral_stage)"
                                     " where id = any(:ids)"), {"s": rng.choice(STAGES), "ids": some})
            elif operation == "outcome":
                conn.execute(sa.text("update public.referrals set outcome = :o where id = any(:ids)"),
                             {"o": rng.choice(["owner", "duplicate"]), "ids": some})
            elif operation == "job":
                conn.execute(sa.text("update public.referrals set job_id = :j, created_at = created_at"
                                     " - interval '1 day' where id = any(:ids)"),
                             {"j": rng.choice([*jobs, None]), "ids": some})
            elif operation == "delete":
                conn.execute(sa.text("delete from public.referrals where id = any(:ids)"), {"ids": some})
            elif operation == "delete_job" and len(jobs) > 1:  # its referrals become open to anything
                conn.execute(sa.text("delete from public.jobs where id = :j"), {"j": jobs.pop()})
            elif operation == "delete_referrer" and len(alumni) > 1:  # their referrals go with them
                gone = alumni.pop(rng.randrange(len(alumni)))
                conn.execute(sa.text("delete from public.profiles where id = :u"), {"u": gone.user_id})
            elif operation == "untouched_column":
                conn.execute(sa.text("update public.referrals set reason = 'Again' where id = any(:ids)"),
                             {"ids": some})
        with clean_db.connect() as conn:
            assert_tallies_match(conn)
    with clean_db.begin() as conn:
        conn.execute(sa.text("select private.recount_referral_totals()"))
        assert_tallies_match(conn)
        conn.execute(sa.text("truncate public.referrals cascade"))
        for table in TALLIES:
            assert conn.execute(sa.text(f"select count(*) from public.{table}")).scalar() == 0  # noqa: S608


def test_figures_board_and_leaderboard_read_from_the_tallies_as_counted(clean_db):
    rng = random.Random(11)
    recruiter, alumni, jobs = _people(clean_db, 6)
    with clean_db.begin() as conn:
        _insert(conn, rng, alumni, jobs, 150)
        conn.execute(sa.text("update public.referrals set stage = 'interviewing' where stage = 'reviewing'"))
        conn.execute(sa.text("update public.referrals set stage = 'not_selected'"
                             " where stage = 'interviewing' and random() < 0.5"))
    recognition.set_opt_out(alumni[0], True)
    for start, end in ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 1, 15), date(2026, 2, 10)),
                       (date(2026, 2, 1), date(2026, 2, 1)), (date(2025, 6, 1), date(2027, 1, 1))):
        kept, counted = rf.figures(recruiter, start, end), rf.counted_figures(recruiter, start, end)
        for name in ("by_month", "by_department", "top_referrers"):
            pd.testing.assert_frame_equal(getattr(kept, name), getattr(counted, name))
        assert kept.totals == counted.totals
    quarter = rf.figures(recruiter, date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.totals["referrals"] > 0
    assert "Alum 0" not in set(quarter.top_referrers.referrer)  # left the leaderboard

    # The board and the table's counts for a job or a department, kept and counted.
    with clean_db.connect() as conn:
        departments = dict(conn.execute(sa.text("select id, department from public.jobs")).all())
        rows = conn.execute(sa.text("select job_id, stage::text from public.referrals")).all()
    for filters in ({"department": "Sales"}, {"department": "Engineering"}, {"job_id": jobs[1]},
                    {"department": "Nowhere"}):
        expected = {stage: sum(1 for job, s in rows if s == stage and (
            departments.get(job) == filters["department"] if "department" in filters
            else job == filters["job_id"])) for stage in STAGES}
        board = pipeline.board(recruiter, per_stage=2, **filters)
        assert {stage: n for stage, (_, n) in board.items()} == expected
        assert pipeline.search(recruiter, **filters).total == sum(expected.values())
        assert pipeline.search(recruiter, stage="hired", **filters).total == expected["hired"]
    # A referrer sees only their own referrals counted, never the kept counts of all.
    mine = pipeline.board(alumni[1], department="Sales")
    with clean_db.connect() as conn:
        own = conn.execute(sa.text(
            "select count(*) from public.referrals r join public.jobs j on j.id = r.job_id"
            " where r.referrer_id = :me and j.department = 'Sales'"), {"me": alumni[1].user_id}).scalar()
    assert sum(n for _, n in mine.values()) == own

    # The leaderboard: points as the referrals earn them, opted-out referrers left out.
    points = {}
    with clean_db.connect() as conn:
        for referrer, interviewed, stage in conn.execute(sa.text(
                "select referrer_id, interviewed_at is not null, stage::text from public.referrals"
                " where outcome = 'owner'")).all():
            points[referrer] = points.get(referrer, 0) + pipeline.referral_points("owner", interviewed, stage)
    board = recognition.leaderboard(alumni[1])
    assert [s.points for s in board] == sorted((p for r, p in points.items() if r != alumni[0].user_id),
                                               reverse=True)
    assert "Alum 0" not in {s.full_name for s in board}
    assert recognition.my_recognition(alumni[0]).points == points[alumni[0].user_id]


UNHIRED = tuple(stage for stage in STAGES if stage != "hired")


def test_tallies_stay_right_when_many_write_at_once(clean_db):
    # Four writers adding and moving referrals of the same referrers, jobs and days at once,
    # a statement a transaction as the portal writes them: every increment lands (no lost
    # update) and none waits on another in a circle. Nobody is hired: a statement hiring
    # several referrals adds their hires one statement each (private.referral_hire_changed),
    # and hire_totals, locked by each of those in turn, can then deadlock with another such
    # statement; the portal hires one referral a statement.
    _, alumni, jobs = _people(clean_db, 2)

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(6):
            with clean_db.begin() as conn:
                _insert(conn, rng, alumni, jobs[:1], 6, UNHIRED)
            with clean_db.begin() as conn:
                conn.execute(sa.text(  # three referrals no other writer is moving, moved on
                    "update public.referrals set stage = cast(:s as public.referral_stage)"
                    " where id in (select id from public.referrals"
                    "              where stage <> cast(:s as public.referral_stage)"
                    "              order by created_at limit 3 for update skip locked)"),
                    {"s": rng.choice(UNHIRED)})

    with ThreadPoolExecutor(4) as pool:
        for done in [pool.submit(writer, seed) for seed in range(4)]:
            done.result()
    with clean_db.begin() as conn:
        assert conn.execute(sa.text("select count(*) from public.referrals")).scalar() == 4 * 6 * 6
        assert_tallies_match(conn)
