"""The backfill of migration 20261223100000 (every referral for a job becomes its candidate's
application) over the referrals benchmark's data: 1,000,000 referrals in every stage, nine in
ten for one of 60 jobs, with their stage history, and 20,000 direct applications of people
also referred for the same job (which the referrals join).

Times `private.referrals_into_applications()` as the migration runs it (the owner, one
transaction), beside a floor from the same run: one plain pass over the same referrals and
their histories (a count joined to their stage events). Then checks that no referral for a
job is left without an application, nor disagrees with it.

    .venv/bin/python benchmarks/referral_backfill.py [--referrals 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from benchmarks.referrals import fill  # sets up the throwaway embedded Postgres
from portal.db import ensure_ready, owner_transaction

FLOOR = """
    select count(*), count(distinct s.referral_id) from public.referrals r
    join public.referral_stage_events s on s.referral_id = r.id
    where r.job_id is not null and r.application_id is null
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    args = parser.parse_args()
    ensure_ready()
    started = time.perf_counter()
    fill(args.referrals)
    print(f"filled {args.referrals:,} referrals in {time.perf_counter() - started:.0f} s\n")

    with owner_transaction() as conn:
        started = time.perf_counter()
        conn.execute(sa.text(FLOOR)).one()
        floor = time.perf_counter() - started
    with owner_transaction() as conn:
        started = time.perf_counter()
        done = conn.execute(sa.text("select * from private.referrals_into_applications()")).one()
        took = time.perf_counter() - started
    with owner_transaction() as conn:
        left, disagree = conn.execute(sa.text(
            "select count(*) filter (where r.application_id is null),"
            "       count(*) filter (where r.stage <> private.referral_stage_of(a.status))"
            " from public.referrals r left join public.applications a on a.id = r.application_id"
            " where r.job_id is not null")).one()
    print(f"  the floor: one pass over the referrals and their histories   {floor:7.1f} s")
    print(f"  private.referrals_into_applications()                         {took:7.1f} s"
          f"   ({took / floor:.0f}x the floor)")
    print(f"  applications made {done.created:,}, referrals linked {done.linked:,},"
          f" applications moved to their referral's later stage {done.moved:,}")
    print(f"  left without an application {left:,}, disagreeing with it {disagree:,}")


if __name__ == "__main__":
    main()
