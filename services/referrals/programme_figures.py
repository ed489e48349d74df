"""The referral programme's figures for recruiters: referrals, interviews, hires and
conversion by month and by department, the top referrers, and time to hire for referrals
against other sources. Aggregated in SQL, under row-level security (staff see all).

Credited referrals (not duplicates, not people who had applied already) are counted in
the month they were made, as a cohort: "interviews" are those that reached an interview at
any time (even if not selected afterwards; `referrals.interviewed_at`, kept by the
database), "hires" those hired; conversion is hires per referral. Time to hire is the days
from a hire's referral (or, for other sources, its application) to the hire date, for hires
dated in the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import altair as alt
import pandas as pd
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import ValidationError
from portal.models import Actor
from portal.permissions import require_staff
from services.referrals.stages import CREDITED

# Summed from the tallies the database keeps per day (UTC) and job, and per day and
# referrer, of credited referrals (migration 20261211000000): a year is a few thousand
# rows however many referrals were made in it. Counts stay whole numbers (bigint).
_SUMS = """
  sum(t.referrals)::bigint as referrals, sum(t.interviews)::bigint as interviews,
  sum(t.hires)::bigint as hires, round(sum(t.hires)::numeric / sum(t.referrals), 3) as conversion"""
_PERIOD = "t.day between :start and :end"

BY_MONTH = sa.text(f"""
select to_char(date_trunc('month', t.day), 'YYYY-MM') as month, {_SUMS}
from public.referral_day_totals t where {_PERIOD}
group by date_trunc('month', t.day) having sum(t.referrals) > 0 order by 1""")  # noqa: S608

BY_DEPARTMENT = sa.text(f"""
select coalesce(j.department, 'Open to anything') as department, {_SUMS}
from public.referral_day_totals t left join public.jobs j on j.id = t.job_id
where {_PERIOD} group by 1 having sum(t.referrals) > 0
order by referrals desc, department""")  # noqa: S608

# Referrers who left the leaderboard are left out here too: never shown to others.
TOP_REFERRERS = sa.text(f"""
select p.full_name as referrer, {_SUMS}
from public.referrer_day_totals t
join public.profiles p on p.id = t.referrer_id
left join public.referrer_preferences rp on rp.user_id = p.id
where {_PERIOD} and not coalesce(rp.leaderboard_opt_out, false)
group by p.id, p.full_name having sum(t.referrals) > 0
order by hires desc, interviews desc, referrals desc, p.full_name
limit :limit""")  # noqa: S608

# The same figures counted from the referrals themselves (to check the kept tallies).
_COUNTS = """
  count(*) as referrals,
  count(*) filter (where r.interviewed_at is not null) as interviews,
  count(*) filter (where r.stage = 'hired') as hires,
  round(count(*) filter (where r.stage = 'hired')::numeric / count(*), 3) as conversion"""
_REFERRALS_IN_PERIOD = f"{CREDITED} and r.created_at >= :start_at and r.created_at < :end_at"
COUNTED = (
    sa.text(f"""
select to_char(date_trunc('month', r.created_at at time zone 'UTC'), 'YYYY-MM') as month, {_COUNTS}
from public.referrals r where {_REFERRALS_IN_PERIOD} group by 1 order by 1"""),  # noqa: S608
    sa.text(f"""
select coalesce(j.department, 'Open to anything') as department, {_COUNTS}
from public.referrals r left join public.jobs j on j.id = r.job_id
where {_REFERRALS_IN_PERIOD} group by 1 order by referrals desc, department"""),  # noqa: S608
    sa.text(f"""
select p.full_name as referrer, {_COUNTS}
from public.referrals r
join public.profiles p on p.id = r.referrer_id
left join public.referrer_preferences rp on rp.user_id = p.id
where {_REFERRALS_IN_PERIOD} and not coalesce(rp.leaderboard_opt_out, false)
group by p.id, p.full_name order by hires desc, interviews desc, referrals desc, p.full_name
limit :limit"""))  # noqa: S608

TIME_TO_HIRE = sa.text("""
with spans as (
  select case when h.source = 'referral' then 'Referrals' else 'Other sources' end as source,
         h.hire_date - coalesce(r.created_at, a.created_at)::date as days
  from public.hires h
  left join public.referrals r on r.id = h.referral_id
  left join public.applications a on a.id = h.application_id
  where h.hire_date between :start and :end
)
select source, count(days) as hires,
       round(avg(days), 1) as average_days,
       percentile_cont(0.5) within group (order by days) as median_days,
       count(*) - count(days) as without_start
from spans group by source order by source desc""")


@dataclass(frozen=True)
class ProgrammeFigures:
    start: date
    end: date
    by_month: pd.DataFrame
    by_department: pd.DataFrame
    top_referrers: pd.DataFrame
    time_to_hire: pd.DataFrame

    @property
    def totals(self) -> dict[str, float]:
        referrals = int(self.by_month["referrals"].sum()) if len(self.by_month) else 0
        hires = int(self.by_month["hires"].sum()) if len(self.by_month) else 0
        interviews = int(self.by_month["interviews"].sum()) if len(self.by_month) else 0
        return {"referrals": referrals, "interviews": interviews, "hires": hires,
                "conversion": hires / referrals if referrals else 0.0}


def figures(actor: Actor, start: date, end: date, top: int = 10) -> ProgrammeFigures:
    return _figures(actor, start, end, top, (BY_MONTH, BY_DEPARTMENT, TOP_REFERRERS))


def counted_figures(actor: Actor, start: date, end: date, top: int = 10) -> ProgrammeFigures:
    """The same figures, counted from every referral in the period rather than from the
    kept tallies: what `figures` must equal (tests), and its floor (benchmarks)."""
    return _figures(actor, start, end, top, COUNTED)


def _figures(actor: Actor, start: date, end: date, top: int, queries) -> ProgrammeFigures:
    if start > end:
        raise ValidationError("The period's first day is after its last; swap them.")
    # Days are UTC days: the period runs from `start`'s midnight UTC to the midnight after `end`.
    params = {"start": start, "end": end, "limit": top,
              "start_at": datetime.combine(start, time(), UTC),
              "end_at": datetime.combine(end + timedelta(days=1), time(), UTC)}
    with transaction(actor) as conn:
        require_staff(conn, "see the referral programme's figures")
        tables = [_frame(conn.execute(query, params)) for query in (*queries, TIME_TO_HIRE)]
    return ProgrammeFigures(start, end, *tables)


def _frame(result) -> pd.DataFrame:
    table = pd.DataFrame(result.all(), columns=list(result.keys()))
    for column in table.columns:
        if column in ("conversion", "average_days", "median_days"):
            table[column] = table[column].astype(float)
    return table


LABELS = {"month": "Month", "department": "Department", "referrer": "Referrer", "referrals": "Referrals",
          "interviews": "Interviews", "hires": "Hires", "conversion": "Conversion", "source": "Source",
          "average_days": "Average days", "median_days": "Median days",
          "without_start": "Hires with no referral or application date"}


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    return table.rename(columns=LABELS)


def month_chart(by_month: pd.DataFrame) -> alt.Chart:
    """Referrals, interviews and hires per month, side by side."""
    long = by_month.melt(id_vars="month", value_vars=["referrals", "interviews", "hires"],
                         var_name="figure", value_name="count")
    long["figure"] = long["figure"].map(LABELS)
    return alt.Chart(long, title="Referrals by the month they were made").mark_bar().encode(
        x=alt.X("month:N", title=None),
        xOffset=alt.XOffset("figure:N", sort=["Referrals", "Interviews", "Hires"]),
        y=alt.Y("count:Q", title=None, axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("figure:N", title=None, sort=["Referrals", "Interviews", "Hires"],
                        scale=alt.Scale(range=["#90caf9", "#1565c0", "#2e7d32"])),
        tooltip=["month:N", "figure:N", "count:Q"],
    ).properties(height=260)
