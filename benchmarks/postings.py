"""The recruiters' postings list at scale: 10,000 postings in every status, owned by a
handful of recruiters, listed as a recruiter (row-level security on).

Times the first page of `jobs.list_jobs` (the count and twenty rows, what the Job postings
page asks for) unfiltered, with a search word, and with status + department + owner
filters; median and p95 over 100 runs each, beside an empty transaction as the same
recruiter (what any page pays to ask the database anything). Also the CSV export of one
department, which reads every matching posting.

    .venv/bin/python benchmarks/postings.py [--jobs 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("postings")

from benchmarks.jobs_data import insert_jobs
from benchmarks.timing import describe, timings, transaction_floor
from portal.db import ensure_ready, owner_transaction
from portal.models import Actor, Role
from services.people.accounts import create_account
from services.postings import editing as postings
from services.postings import listings as jobs
from services.postings.listings import JobFilter


def fill(job_count: int) -> list[Actor]:
    """Five recruiters and `job_count` postings spread over them and over every status."""
    with owner_transaction() as conn:
        recruiters = [Actor(create_account(conn, f"r{i}@bench.test", f"Recruiter {i}", Role.RECRUITER, None),
                            f"r{i}@bench.test", Role.RECRUITER) for i in range(5)]
        insert_jobs(conn, job_count, "(array['draft', 'in_review', 'approved', 'published', 'published',"
                                     " 'published', 'closed', 'closed'])[1 + i % 8]",
                    owners=[str(r.user_id) for r in recruiters])
    return recruiters


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    args = parser.parse_args()

    ensure_ready()
    started = time.perf_counter()
    recruiter, *others = fill(args.jobs)
    print(f"filled {args.jobs:,} postings in {time.perf_counter() - started:.0f} s\n")

    floor = transaction_floor(recruiter, "floor: an empty transaction as a recruiter")

    runs = list(range(100))
    every = jobs.ALL_STATUSES
    print(f"\nJob postings, first page of 20 over {args.jobs:,} postings (100 runs each)")
    describe("jobs.list_jobs, every status, no filter", timings(
        lambda _: jobs.list_jobs(recruiter, statuses=every), runs), floor)
    describe("jobs.list_jobs, search 'reliability'", timings(
        lambda _: jobs.list_jobs(recruiter, statuses=every, search="reliability"), runs), floor)
    describe("jobs.list_jobs, status + department + owner", timings(
        lambda _: jobs.list_jobs(recruiter, statuses=("draft", "in_review"), department="Engineering",
                                 owner_id=others[0].user_id), runs), floor)
    describe("jobs.list_jobs, page 50 (offset 980)", timings(
        lambda _: jobs.list_jobs(recruiter, statuses=every, page=50), runs), floor)
    describe("postings.export_csv, one department (~1,100 rows)", timings(
        lambda _: postings.export_csv(recruiter, JobFilter(every, department="Engineering")),
        list(range(20))), floor)


if __name__ == "__main__":
    main()
