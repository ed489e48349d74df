"""The recruiters' overview: a few figures computed in SQL, the same for every member of
staff, so computed once and shared until a job, referral, hire or question changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import shared
from portal.models import Actor
from portal.months import month_start
from services.referrals.stages import IN_PROGRESS
from services.savings.report import source_label


@dataclass(frozen=True)
class Overview:
    open_jobs: int
    jobs_awaiting_review: int
    active_referrals: int
    unanswered_questions: int
    hires_last_12_months: int
    # month, source, hires: an Arrow table, which cannot be changed (the overview is
    # shared) and which the chart takes as it is (a DataFrame is converted on every rerun)
    hires_by_month: pa.Table


def recruiting_overview(actor: Actor, today: date | None = None) -> Overview:
    today = today or date.today()
    since = month_start(today, 11)  # the last 12 calendar months, this one included
    return shared.staff_view(actor, ("recruiting overview", since),
                             lambda conn: _overview(conn, since))


def _overview(conn: Connection, since: date) -> Overview:
    # One statement, one round trip: the figures, and the hires by month and source as
    # three arrays (dates stay dates).
    row = conn.execute(sa.text(
        f"""
        -- One pass over the jobs for both counts: under row-level security the
        -- status test cannot use the index (enum equality is not leakproof), so each
        -- count read every job (about 0.8 ms at 10^4 jobs).
        with job_counts as (
          select count(*) filter (where status = 'published') as open_jobs,
                 count(*) filter (where status = 'in_review') as awaiting_review
          from public.jobs),
        by_month as (
          select date_trunc('month', hire_date)::date as month, source::text as source,
                 count(*) as hires
          from public.hires
          where hire_date >= :since
          group by 1, 2)
        select
          job_counts.open_jobs,
          job_counts.awaiting_review,
          (select count(*) from public.referrals r
             where {IN_PROGRESS}) as active_referrals,
          -- staff only; counted without checking the read policy on each question
          private.unanswered_questions() as unanswered,
          (select count(*) from public.hires
             where hire_date >= :since) as hires,
          (select array_agg(month order by month, source) from by_month) as months,
          (select array_agg(source order by month, source) from by_month) as sources,
          (select array_agg(hires order by month, source) from by_month) as month_hires
        from job_counts
        """), {"since": since}).one()  # noqa: S608
    table = pa.table({"month": pa.array(row.months or [], pa.date32()),
                      "source": pa.array([source_label(s) for s in row.sources or []], pa.string()),
                      "hires": pa.array(row.month_hires or [], pa.int64())})
    return Overview(row.open_jobs, row.awaiting_review, row.active_referrals,
                    row.unanswered, row.hires, table)
