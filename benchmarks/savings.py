"""The savings report over 1,000,000 hires, end to end, beside a plain SQL aggregate.

Fills a throwaway embedded Postgres with a million hires spread over three years, seven
sources, nine departments and three currencies, then times (median of several runs):

- the floor: the same groups the report reads (month, source, channel, department,
  currency), fetched as plain SQL rows as the same recruiter, once as the report asks for
  them (kept totals for whole months, the rest from the hires) and once all summed from the
  hires; one ungrouped aggregate over the same hires is printed for scale only;
- the report as the Savings page gets it: `savings.savings_report` (the sums the database
  keeps per month, source, channel, department and currency for the whole months of the
  period, the hires of its partial last month summed on the spot, the running costs, the
  assumptions, and pandas building every table and the totals);
- the same report with every group summed from the hires on the spot, which is what the
  kept totals save;
- the what-if recomputation a slider move triggers, and each export format.

The report beside its floor is timed twice: each as a block of runs (the ratio of the two
medians), and in pairs run back to back (the median of the pairs' ratios), which a change
of load between the two blocks cannot tilt.

The target is the report within 2x of its groups as plain SQL. The period ends mid-month
(2026-11-21), as it does on the page, so that part of it is summed from the hires.

    .venv/bin/python benchmarks/savings.py [--hires 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("savings")

import sqlalchemy as sa

from portal.db import ensure_ready, owner_transaction, transaction
from portal.models import Actor, Role
from services.people.accounts import create_account
from services.savings import export as savings_export
from services.savings import report as savings

START, END = date(2024, 1, 1), date(2026, 11, 21)
PLAIN_AGGREGATE = sa.text(
    "select count(*), sum(first_year_salary), sum(referral_bonus), sum(ad_spend),"
    " sum(job_board_fee), sum(agency_fee), sum(other_cost)"
    " from public.hires where hire_date between :start and :end")


def fill(hires: int) -> Actor:
    with owner_transaction() as conn:
        recruiter = create_account(conn, "bench@example.com", "Bench", Role.RECRUITER, None)
        conn.execute(sa.text(
            """
            insert into public.hires (hire_date, job_title, department, source, channel,
              first_year_salary, currency, referral_bonus, ad_spend, job_board_fee, agency_fee,
              other_cost)
            select date '2024-01-01' + (i % 1096),
                   'Job ' || (i % 500),
                   (array['Engineering','Data Science','Product','Design','Sales','Marketing',
                          'Finance','People','Customer Success'])[1 + i % 9],
                   s.source::public.hire_source,
                   case s.source when 'social' then (array['linkedin','x','facebook'])[1 + i % 3]
                                 when 'job_board' then (array['Indeed','StepStone'])[1 + i % 2]
                   end,
                   50000 + (i::bigint * 7919) % 90000,
                   (array['USD','USD','USD','EUR','GBP'])[1 + i % 5],
                   case s.source when 'referral' then 1500 else 0 end,
                   case s.source when 'social' then (i % 8) * 50 else 0 end,
                   case s.source when 'job_board' then 300 + (i % 7) * 100 else 0 end,
                   case s.source when 'agency' then (50000 + (i::bigint * 7919) % 90000) * 0.2 else 0 end,
                   (i % 3) * 150
            from generate_series(1, :n) as i,
                 lateral (select (array['referral','referral','social','job_board','career_site',
                                        'agency','direct','internal'])[1 + (i / 7) % 8]
                                 as source) as s
            """), {"n": hires})
        conn.execute(sa.text(
            "insert into public.programme_costs (month, category, amount)"
            " select m::date, c, 5000 from generate_series(date '2024-01-01', date '2026-12-01',"
            " interval '1 month') m, unnest(array['content','tools','promotion']) c"))
        conn.execute(sa.text("insert into public.exchange_rates values ('EUR', 1.08), ('GBP', 1.27)"))
    engine = ensure_ready()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("vacuum analyze public.hires")
    return Actor(user_id=recruiter, email="bench@example.com", role=Role.RECRUITER)


def median_seconds(action, runs: int) -> float:
    action()  # warm the caches, as a page someone keeps open is
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def paired_ratio(action, floor, runs: int) -> tuple[float, float, float]:
    """`action` and `floor` run back to back `runs` times (in turn first): the median of the
    pairs' ratios, and each one's median. Two cores shared with other work make the load
    change between two blocks of runs; within a pair both meet the same load."""
    action(), floor()
    ratios, actions, floors = [], [], []
    for run in range(runs):
        timed = {}
        for name, step in ((("action", action), ("floor", floor)) if run % 2 == 0
                           else (("floor", floor), ("action", action))):
            started = time.perf_counter()
            step()
            timed[name] = time.perf_counter() - started
        ratios.append(timed["action"] / timed["floor"])
        actions.append(timed["action"])
        floors.append(timed["floor"])
    return statistics.median(ratios), statistics.median(actions), statistics.median(floors)


def plain_as(actor: Actor | None):
    def run():
        if actor is None:
            with owner_transaction() as conn:
                return conn.execute(PLAIN_AGGREGATE, {"start": START, "end": END}).one()
        with transaction(actor) as conn:
            return conn.execute(PLAIN_AGGREGATE, {"start": START, "end": END}).one()
    return run


def groups_as_plain_sql(actor: Actor, query: sa.TextClause, params: dict):
    """The report's groups fetched as rows and nothing else: no pandas, no model."""
    def run():
        with transaction(actor) as conn:
            return conn.execute(query, params).all()
    return run


def _report_from_hires(actor: Actor) -> savings.SavingsReport:
    with transaction(actor) as conn:
        return savings.build_report(savings.hire_groups_from_hires(conn, START, END),
                                    savings.running_costs(conn, START, END),
                                    savings.load_assumptions(conn), START, END)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hires", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    recruiter = fill(args.hires)
    print(f"filled {args.hires:,} hires in {time.perf_counter() - started:.1f} s")

    plain_aggregate = median_seconds(plain_as(recruiter), args.runs)
    plain_owner = median_seconds(plain_as(None), args.runs)
    # The report's own floor: the same groups (month, source, channel, department,
    # currency) the report reads, as plain SQL rows, as the same recruiter. Two of them:
    # what the report asks (whole months from the kept totals, the rest from the hires),
    # and the same groups all summed from the hires.
    first_whole, after_whole = savings.whole_months(START, END)
    same_groups = median_seconds(groups_as_plain_sql(recruiter, savings.GROUPS_SQL, {
        "start": START, "end": END, "first_whole_month": first_whole,
        "after_whole_months": after_whole}), args.runs)
    groups_from_hires = median_seconds(groups_as_plain_sql(
        recruiter, savings.GROUPS_FROM_HIRES_SQL, {"start": START, "end": END}), args.runs)
    report_time = median_seconds(lambda: savings.savings_report(recruiter, START, END), args.runs)
    report = savings.savings_report(recruiter, START, END)
    paired, paired_report, paired_floor = paired_ratio(
        lambda: savings.savings_report(recruiter, START, END),
        groups_as_plain_sql(recruiter, savings.GROUPS_SQL, {
            "start": START, "end": END, "first_whole_month": first_whole,
            "after_whole_months": after_whole}), max(args.runs, 21))
    from_hires = median_seconds(lambda: _report_from_hires(recruiter), args.runs)
    check = _report_from_hires(recruiter)
    assert abs(check.totals.saving_vs_headhunter - report.totals.saving_vs_headhunter) < 1, \
        "the kept totals disagree with the hires"
    what_if = median_seconds(lambda: savings.what_if(report, fee_rate=0.25, referral_bonus=2000,
                                                     referral_share=0.4), args.runs)
    print(f"report: {report.totals.hires:,.0f} hires in {len(report.groups):,} groups;"
          f" saving vs headhunter {report.totals.saving_vs_headhunter:,.0f} {report.assumptions.currency}"
          f"; medians of {args.runs} runs")
    print(f"floor: the report's groups as plain SQL rows (kept totals + partial months), recruiter:"
          f" {same_groups * 1000:8.1f} ms")
    print(f"floor: the same groups summed from the hires, plain SQL rows, recruiter:"
          f"            {groups_from_hires * 1000:8.1f} ms")
    print(f"savings report end to end (SQL+model):  {report_time * 1000:8.1f} ms"
          f"  = {report_time / same_groups:.2f}x its groups as plain SQL; target <= 2x"
          f" ({report_time / groups_from_hires:.2f}x the groups summed from the hires)")
    print(f"the same, in pairs run back to back: report {paired_report * 1000:8.1f} ms,"
          f" groups as plain SQL {paired_floor * 1000:8.1f} ms; median of the pairs' ratios"
          f" {paired:.2f}x; target <= 2x")
    print(f"the same report, every group summed from hires: {from_hires * 1000:8.1f} ms"
          f"  = {from_hires / groups_from_hires:.2f}x the groups summed from the hires as plain SQL")
    print(f"for scale, one ungrouped aggregate (count and six sums) over the same hires:"
          f" {plain_aggregate * 1000:.1f} ms as the recruiter, {plain_owner * 1000:.1f} ms as the owner"
          " (not a floor: it makes no groups)")
    print(f"what-if recomputation (model only):     {what_if * 1000:8.1f} ms")
    for file_format in ("csv", "xlsx", "pdf"):
        seconds = median_seconds(lambda f=file_format: savings_export.render(report, f), 3)
        print(f"export {file_format:<4}                            {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
