"""Working the pipeline at scale (issue 16): applications over 1,000 published jobs, each
with its history (one event per stage it was given), a third of them through referral links
with their referrals, as a recruiter (row-level security on).

Times what the Applicants tab asks for one job: its first page (count and 20 rows) and the
funnel per source; one application's history and notes; what Candidates asks across jobs
(its first page, count and 25 rows, unfiltered, by stage, source, job or a typed part of an
email; the filters' choices) and one candidate's profile; a move of one application and of
twenty (each with a message, recorded, audited, a referred one taking its referral along,
rolled back after each run so the data stays the same); beside an empty transaction as the
same recruiter.

    .venv/bin/python benchmarks/applications.py [--applications 1000000] [--jobs 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("applications")

import sqlalchemy as sa

from benchmarks.jobs_data import insert_jobs
from benchmarks.timing import describe, timings, transaction_floor
from portal.db import ensure_ready, owner_transaction, transaction
from portal.models import Actor, Role
from services.candidates import across_jobs, applications
from services.candidates import profile as profiles
from services.candidates.across_jobs import Filters
from services.people.accounts import create_account
from services.postings import editing as postings


def fill(total: int, job_count: int) -> tuple[Actor, list]:
    """A recruiter, an alumnus, `job_count` published jobs and `total` applications spread
    over them (every stage, a third from referral links with their referrals)."""
    with owner_transaction() as conn:
        recruiter = Actor(create_account(conn, "r@bench.test", "Recruiter", Role.RECRUITER, None),
                          "r@bench.test", Role.RECRUITER)
        alumnus = create_account(conn, "a@bench.test", "Alumna", Role.ALUMNUS, None)
        insert_jobs(conn, job_count, "'published'")
        conn.exec_driver_sql("alter table public.applications disable trigger user")
        conn.exec_driver_sql("alter table public.referrals disable trigger user")
        conn.execute(sa.text(
            "insert into public.candidates (full_name, email)"
            " select 'Person ' || i, 'p' || i || '@bench.test' from generate_series(1, :n) i"), {"n": total})
        conn.execute(sa.text(
            """
            insert into public.applications (job_id, candidate_id, status, source, created_at, updated_at)
            select j.id, c.id,
                   (array['new','new','reviewing','interviewing','offer','hired','rejected','rejected',
                          'withdrawn'])[1 + c.n % 9]::public.application_status,
                   (array['referral','linkedin','direct','indeed','referral','career_site'])[1 + c.n % 6],
                   now() - make_interval(days => (c.n % 300)::int),
                   now() - make_interval(days => (c.n % 100)::int)
            from (select id, row_number() over (order by id) as n from public.candidates) c
            join (select id, row_number() over (order by id) - 1 as k from public.jobs) j
              on j.k = c.n % :jobs
            """), {"jobs": job_count})
        conn.execute(sa.text(
            "insert into public.application_events (application_id, from_status, to_status, changed_at)"
            " select id, null, 'new', created_at from public.applications"))
        conn.execute(sa.text(
            "insert into public.application_events (application_id, from_status, to_status, changed_at)"
            " select id, 'new', status, updated_at from public.applications where status <> 'new'"))
        conn.execute(sa.text(
            "insert into public.referrals (referrer_id, candidate_id, job_id, application_id, origin,"
            "  stage, created_at)"
            " select :alumnus, a.candidate_id, a.job_id, a.id, 'link',"
            "  case a.status when 'new' then 'submitted' when 'rejected' then 'not_selected'"
            "    when 'withdrawn' then 'not_selected' else a.status::text end::public.referral_stage,"
            "  a.created_at from public.applications a where a.source = 'referral'"),
            {"alumnus": alumnus})
        conn.exec_driver_sql("alter table public.applications enable trigger user")
        conn.exec_driver_sql("alter table public.referrals enable trigger user")
        conn.exec_driver_sql("analyze")
        job = conn.execute(sa.text("select id from public.jobs order by id limit 1")).scalar_one()
        movable = conn.execute(sa.text(
            "select id from public.applications where job_id = :j and status in ('new', 'reviewing')"
            " order by id limit 400"), {"j": job}).scalars().all()
    return recruiter, [job, movable]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=1_000)
    args = parser.parse_args()

    ensure_ready()
    started = time.perf_counter()
    recruiter, (job, movable) = fill(args.applications, args.jobs)
    print(f"filled {args.applications:,} applications on {args.jobs:,} jobs"
          f" in {time.perf_counter() - started:.0f} s\n")
    floor = transaction_floor(recruiter, "floor: an empty transaction as a recruiter")

    runs = list(range(100))
    per_job = args.applications // args.jobs
    print(f"\nOne job's Applicants tab (~{per_job:,} applications; 100 runs each)")
    describe("postings.applicants, first page", timings(
        lambda _: postings.applicants(recruiter, job), runs), floor)
    describe("postings.applicants, one stage", timings(
        lambda _: postings.applicants(recruiter, job, stage="interviewing"), runs), floor)
    describe("applications.funnel (per source, from the history)", timings(
        lambda _: applications.funnel(recruiter, job), runs), floor)
    describe("applications.record (history and notes)", timings(
        lambda i: applications.record(recruiter, movable[i % len(movable)]), runs), floor)

    print("\nCandidates across jobs (100 runs each)")
    describe("across_jobs.search, first page", timings(
        lambda _: across_jobs.search(recruiter, Filters()), runs), floor)
    describe("across_jobs.search, one stage (offer)", timings(
        lambda _: across_jobs.search(recruiter, Filters(stage="offer")), runs), floor)
    describe("across_jobs.search, one source (indeed)", timings(
        lambda _: across_jobs.search(recruiter, Filters(source="indeed")), runs), floor)
    describe("across_jobs.search, one job", timings(
        lambda _: across_jobs.search(recruiter, Filters(job_id=job)), runs), floor)
    describe("across_jobs.search, part of an email (p12345@)", timings(
        lambda i: across_jobs.search(recruiter, Filters(search=f"p{12345 + i}@")), runs), floor)
    describe("across_jobs.filter_choices (jobs, sources in use)", timings(
        lambda _: across_jobs.filter_choices(recruiter), runs), floor)
    with owner_transaction() as conn:
        people = conn.execute(sa.text("select candidate_id from public.applications"
                                      " where id = any(:ids)"), {"ids": movable[:100]}).scalars().all()
    describe("profiles.profile (one transaction)", timings(
        lambda i: profiles.profile(recruiter, people[i % len(people)]), runs), floor)

    def move(ids: list) -> None:  # the service's statement in a transaction rolled back
        with transaction(recruiter) as conn:
            conn.execute(sa.text(
                "select * from private.move_applications(cast(:ids as uuid[]), 'rejected', 'skills',"
                " null, 'Thank you for applying.', false)"), {"ids": ids}).all()
            conn.rollback()

    print("\nMoves (rejected with a reason and a message; rolled back each run)")
    describe("move one application", timings(lambda i: move([movable[i % len(movable)]]), runs), floor)
    describe("move twenty applications at once", timings(
        lambda i: move(movable[(i * 20) % (len(movable) - 19):][:20]), list(range(50))), floor)


if __name__ == "__main__":
    main()
