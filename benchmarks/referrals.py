"""Referring someone at scale: the duplicate check and a referral's submission over
1,000,000 existing referrals.

Fills a throwaway embedded Postgres with 200 alumni, 60 jobs in 6 departments,
1,000,000 candidates and one referral each (spread over the last two years and over the
stages: half submitted, 2% hired; one in ten open to anything; with their stage history,
1,500,000 events, and the tallies kept from them counted once), each owning its
candidate's email and LinkedIn profile for 12 months from its day (2,000,000 ownership
rows, half of them still running), and 20,000 direct applications. Then times, median
and p95:

- the duplicate decision as `private.record_referral` makes it (the identities locked,
  the exclusion constraint's insert, and for a conflict the owner whose period overlaps),
  as the owner it runs as, for 300 people already referred and 300 new ones, each rolled
  back; beside an empty transaction as the owner;
- the recruiters' pipeline first page (pages/recruiting/referrals.py): the filter
  choices, the board (counts per stage and each stage's five latest cards) and the
  table's first page, as the page asks for them, and the same filtered by department,
  and page 400 of the table;
- the programme figures for the last 12 months (read from the kept tallies, and the same
  counted from the referrals) and the leaderboard;
- a whole submission through `referral_submission.refer` as an alumnus (checks, the
  candidate, the referral, ownership, the audit entry and the privacy notice; no SMTP),
  for 300 new people and 300 already referred (duplicates);

beside the floor: an empty transaction as the same user.

    .venv/bin/python benchmarks/referrals.py [--referrals 1000000] [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("referrals")
os.environ.pop("SMTP_HOST", None)

import sqlalchemy as sa

from benchmarks.timing import describe, timings, transaction_floor
from portal.db import ensure_ready, owner_transaction
from portal.models import Actor, Role
from services.people.accounts import create_account
from services.referrals import (
    pipeline,
    recognition,
)
from services.referrals import programme_figures as referral_figures
from services.referrals import submission as referring

# The duplicate decision exactly as `private.record_referral` makes it (the same
# statements, in a temporary function of this session): lock the person's identities,
# claim them for the ownership period through the exclusion constraint's insert, and on
# a conflict find the owner whose period overlaps (`owned && tstzrange(…)`). Each call is
# rolled back, so the people timed stay new or known.
DUPLICATE_DECISION = """
create function pg_temp.duplicate_decision(p_email text, p_linkedin_url text, p_referral uuid)
returns uuid language plpgsql as $$
declare
  keys text[] := private.candidate_identities(p_email, p_linkedin_url);
  period_months integer := coalesce((select s.ownership_months from public.referral_settings s
                                     where s.id = 1), 12);
  owner uuid;
begin
  perform pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(keys) k order by k;
  begin
    insert into public.referral_ownerships (identity, referral_id, owned)
    select k, p_referral, tstzrange(now(), now() + make_interval(months => period_months))
    from unnest(keys) k;
  exception when exclusion_violation then
    select o.referral_id into owner from public.referral_ownerships o
     where o.identity = any(keys)
       and o.owned && tstzrange(now(), now() + make_interval(months => period_months))
     order by lower(o.owned) limit 1;
  end;
  return owner;
end
$$"""
DUPLICATE_CHECK = "select pg_temp.duplicate_decision(:email, :linkedin, :referral)"


def fill(count: int) -> tuple[Actor, Actor]:
    with owner_transaction() as conn:
        conn.execute(sa.text("insert into public.company (name) values ('Northwind Analytics')"))
        alumni = [create_account(conn, f"alum{n}@bench.test", f"Alum {n}", Role.ALUMNUS, None)
                  for n in range(200)]
        recruiter = create_account(conn, "recruiter@bench.test", "Rita Recruiter", Role.RECRUITER, None)
        conn.execute(sa.text("create temporary table bench_alumni (n int, id uuid)"))
        conn.execute(sa.text("insert into bench_alumni values (:n, :id)"),
                     [{"n": n, "id": a} for n, a in enumerate(alumni)])
        conn.execute(sa.text(
            "insert into public.jobs (id, title, department, location, status)"
            " select md5('j' || j)::uuid, 'Role ' || j,"
            "        (array['Data', 'Engineering', 'Sales', 'Finance', 'People', 'Design'])[j % 6 + 1],"
            "        'Berlin', 'published'"
            " from generate_series(0, 59) j"))
        conn.execute(sa.text(
            "insert into public.candidates (id, full_name, email, linkedin_url, created_at)"
            " select md5('c' || i)::uuid, 'Person ' || i, 'person' || i || '@example.org',"
            "        'https://www.linkedin.com/in/person-' || i,"
            "        now() - (i % 730) * interval '1 day'"
            " from generate_series(1, :n) i"), {"n": count})
        # Triggers off for the bulk insert (each hire would take a lock, 20,000 of them in one
        # transaction); the stage history and first interviews they keep are written after.
        conn.execute(sa.text("set local session_replication_role = replica"))
        conn.execute(sa.text(
            "insert into public.referrals (id, referrer_id, candidate_id, job_id, relationship, reason,"
            "  stage, created_at, stage_changed_at, candidate_agreed_at)"
            " select md5('r' || i)::uuid, a.id, md5('c' || i)::uuid,"
            "        case when i % 10 <> 0 or s.stage = 'hired' then md5('j' || i % 60)::uuid end,"
            "        'Colleagues', 'Strong fit', s.stage::public.referral_stage,"
            "        now() - (i % 730) * interval '1 day',"
            "        now() - greatest(i % 730 - i % 30, 0) * interval '1 day',"
            "        now() - (i % 730) * interval '1 day'"
            " from generate_series(1, :n) i join bench_alumni a on a.n = i % 200,"
            " lateral (select case when i % 100 < 50 then 'submitted' when i % 100 < 70 then 'reviewing'"
            "                      when i % 100 < 82 then 'interviewing' when i % 100 < 88 then 'offer'"
            "                      when i % 100 < 90 then 'hired' else 'not_selected' end as stage) s"),
            {"n": count})
        conn.execute(sa.text(
            "insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_at)"
            " select id, null, 'submitted'::public.referral_stage, created_at from public.referrals"
            " union all"
            " select id, 'submitted'::public.referral_stage, stage, stage_changed_at from public.referrals"
            " where stage <> 'submitted'"))
        conn.execute(sa.text(
            "update public.referrals set interviewed_at = stage_changed_at"
            " where stage in ('interviewing', 'offer', 'hired')"))
        conn.execute(sa.text(
            "update public.referral_stage_counts c set referrals = (select count(*)"
            " from public.referrals r where r.stage = c.stage)"))
        conn.execute(sa.text("select private.recount_referral_totals()"))
        conn.execute(sa.text("set local session_replication_role = origin"))
        conn.execute(sa.text(
            "insert into public.referral_ownerships (identity, referral_id, owned)"
            " select k, md5('r' || i)::uuid, tstzrange(now() - (i % 730) * interval '1 day',"
            "        now() - (i % 730) * interval '1 day' + interval '12 months')"
            " from generate_series(1, :n) i,"
            "      unnest(private.candidate_identities('person' || i || '@example.org',"
            "             'https://www.linkedin.com/in/person-' || i)) k"), {"n": count})
        conn.execute(sa.text(
            "insert into public.applications (job_id, candidate_id)"
            " select md5('j' || i % 60)::uuid, md5('c' || i)::uuid"
            " from generate_series(1, :n, 50) i"), {"n": count})
    with owner_transaction() as conn:
        conn.execute(sa.text("analyze"))
    return (Actor(alumni[0], "alum0@bench.test", Role.ALUMNUS, "Alum 0"),
            Actor(recruiter, "recruiter@bench.test", Role.RECRUITER, "Rita Recruiter"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    ensure_ready()
    started = time.perf_counter()
    alumnus, recruiter = fill(args.referrals)
    with owner_transaction() as conn:
        owned = conn.execute(sa.text("select count(*) from public.referral_ownerships")).scalar()
    print(f"filled {args.referrals:,} referrals and {owned:,} ownership rows in "
          f"{time.perf_counter() - started:.0f} s\n")

    # People referred within the last year (still owned), and people never seen.
    known = [(f"person{i}@example.org", f"https://www.linkedin.com/in/person-{i}")
             for i in range(7, 7 + 300 * 731, 731)]
    new = [(f"new{i}@example.org", f"https://www.linkedin.com/in/new-{i}") for i in range(300)]

    engine = ensure_ready()
    with owner_transaction() as conn:
        some_referral = conn.execute(sa.text("select id from public.referrals limit 1")).scalar_one()
    # record_referral runs as the owner (security definer), whoever submits.
    decider = engine.connect()
    decider.exec_driver_sql(DUPLICATE_DECISION)
    decider.commit()

    def check(person):
        try:
            return decider.execute(sa.text(DUPLICATE_CHECK), {"email": person[0], "linkedin": person[1],
                                                               "referral": some_referral}).scalar()
        finally:
            decider.rollback()

    assert check(known[0]) is not None and check(new[0]) is None

    if args.explain:
        with owner_transaction() as conn:
            plan = conn.execute(sa.text(
                "explain analyze select o.referral_id from public.referral_ownerships o"
                " where o.identity = any(private.candidate_identities(:email, :linkedin))"
                " and o.owned && tstzrange(now(), now() + interval '12 months')"
                " order by lower(o.owned) limit 1"),
                {"email": known[0][0], "linkedin": known[0][1]}).scalars()
            print("\n".join(plan), "\n")
        # a department's counts and one stage's cards
        for plan in pipeline.board_plans(recruiter, "hired", per_stage=5, department="Sales"):
            print(plan, "\n")

    def empty_as_owner(_):
        try:
            decider.execute(sa.text("select 1")).one()
        finally:
            decider.rollback()

    owner_times = timings(empty_as_owner, list(range(200)))
    describe("floor: empty transaction as the owner", owner_times)
    owner_floor = statistics.median(owner_times)
    describe("duplicate decision (record_referral's), already referred", timings(check, known), owner_floor)
    describe("duplicate decision (record_referral's), new person", timings(check, new), owner_floor)
    floor = transaction_floor(recruiter, "floor: empty transaction as a recruiter")

    def first_page(filters):
        # What pages/recruiting/referrals.py asks for on opening, in its order.
        pipeline.filter_choices(recruiter)
        pipeline.board(recruiter, per_stage=5, **filters)
        pipeline.search(recruiter, page=1, **filters)

    runs = [{}] * 30
    describe("pipeline first page (choices, board, table)", timings(first_page, runs), floor)
    describe("  the board alone", timings(lambda f: pipeline.board(recruiter, per_stage=5), runs), floor)
    describe("  the table's first page alone", timings(lambda f: pipeline.search(recruiter), runs), floor)
    describe("pipeline first page, one department",
             timings(first_page, [{"department": "Sales"}] * 30), floor)
    describe("table page 400",
             timings(lambda f: pipeline.search(recruiter, page=400), runs), floor)
    year = (date.today() - timedelta(days=365), date.today())
    describe("programme figures, last 12 months",
             timings(lambda f: referral_figures.figures(recruiter, *year), [{}] * 30), floor)
    describe("  the same counted from the referrals (before kept tallies)",
             timings(lambda f: referral_figures.counted_figures(recruiter, *year), [{}] * 10), floor)
    describe("leaderboard (top 20)", timings(lambda f: recognition.leaderboard(alumnus), [{}] * 30), floor)

    def submit(person):
        form = referring.ReferralForm(full_name="Bench Person", email=person[0], linkedin_url=person[1],
                                      relationship="We worked together.", reason="A strong, kind engineer.",
                                      candidate_agreed=True)
        return referring.refer(alumnus, form).outcome

    floor = transaction_floor(alumnus, "floor: empty transaction as an alumnus")
    fresh = [(f"fresh{i}@example.org", f"https://www.linkedin.com/in/fresh-{i}") for i in range(301)]
    describe("submission, new person (owns)", timings(submit, fresh), floor)
    describe("submission, already referred (duplicate)", timings(submit, known), floor)
    assert submit(known[1]) == "duplicate" and submit(("x@example.org", None)) == "owner"


if __name__ == "__main__":
    main()
