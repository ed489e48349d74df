"""Post performance at scale: 100,000 visits and 10,000 applications (500 of them hired)
credited to 500 published posts on 6 channels over 1,000 postings, with spend recorded on
300 posts in two currencies, read as a recruiter (row-level security on).

Times what the Post performance page asks for: the per-channel table and the first page
of the per-post table, over the default 90 days and over a year, and with a channel
filter; median and p95 over 100 runs each, beside an empty transaction as the same
recruiter. Also the exports (every post's row as CSV, both tables as Excel), and one
posting's results (the posting page's figures).

    .venv/bin/python benchmarks/post_performance.py [--explain]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("post-performance")

import sqlalchemy as sa

from benchmarks.jobs_data import insert_jobs
from benchmarks.timing import describe, timings, transaction_floor
from portal.db import ensure_ready, owner_transaction, transaction
from portal.models import Actor, Role
from portal.spreadsheets import csv_bytes
from services.people.accounts import create_account
from services.social import performance as perf

POSTINGS, POSTS, VISITS, APPLICATIONS, HIRED, COSTED = 1_000, 500, 100_000, 10_000, 500, 300
CHANNELS = [("LinkedIn", "linkedin", "external"), ("X (Twitter)", "x", "external"),
            ("Facebook", "facebook", "external"), ("Slack #jobs", "slack", "internal"),
            ("Teams", "teams", "internal"), ("News feed", "news_feed", "internal")]


def fill() -> Actor:
    with owner_transaction() as conn:
        recruiter = Actor(create_account(conn, "r@bench.test", "Recruiter", Role.RECRUITER, None),
                          "r@bench.test", Role.RECRUITER)
        insert_jobs(conn, POSTINGS, "'published'", owners=[str(recruiter.user_id)])
        conn.execute(sa.text("insert into public.exchange_rates (currency, rate) values ('EUR', 1.08)"))
        conn.execute(sa.text(
            "insert into public.social_channels (name, network, audience)"
            " values (:name, cast(:network as public.social_network), :audience)"),
            [{"name": n, "network": k, "audience": a} for n, k, a in CHANNELS])
        conn.execute(sa.text("insert into public.social_topics (name) values ('Open roles')"))
        # Posts through the workflow's steps (the guard trigger checks each), published over
        # the last year.
        conn.execute(sa.text(
            """
            insert into public.social_posts (job_id, channel_id, topic_id, body, author_id)
            select j.id, c.id, t.id, 'We are hiring #' || i, :me
            from generate_series(1, :posts) as i
            join lateral (select id from public.jobs order by id offset (i * 7) % :postings limit 1) j on true
            join lateral (select id from public.social_channels order by name offset i % 6 limit 1) c on true
            cross join (select id from public.social_topics) t
            """), {"posts": POSTS, "postings": POSTINGS, "me": recruiter.user_id})
        for step in ("submitted", "approved"):
            conn.execute(sa.text(
                "update public.social_posts set status = cast(:s as public.social_post_status)"), {"s": step})
        conn.execute(sa.text(
            "update public.social_posts set status = 'published',"
            " published_at = now() - make_interval(days => (abs(hashtext(id::text)) % 365))"))
        # Visits and applications within 30 days of their post going out, hires 30 days later.
        conn.execute(sa.text(
            """
            create temporary table bench_posts as
            select row_number() over (order by id) as n, id, job_id, published_at from public.social_posts
            """))
        conn.execute(sa.text(
            """
            insert into public.job_visits (job_id, session_id, source, utm_medium, post_id, visited_at)
            select p.job_id, gen_random_uuid(), 'linkedin', 'social', p.id,
                   least(now(), p.published_at + make_interval(hours => (i * 37) % 720))
            from generate_series(1, :visits) as i join bench_posts p on p.n = 1 + (i * 7919) % :posts
            """), {"visits": VISITS, "posts": POSTS})
        conn.execute(sa.text(
            "insert into public.candidates (full_name, email)"
            " select 'Candidate ' || i, 'c' || i || '@bench.test' from generate_series(1, :n) as i"),
            {"n": APPLICATIONS})
        conn.execute(sa.text(
            """
            insert into public.applications (job_id, candidate_id, source, post_id, created_at, status)
            select p.job_id, c.id, 'linkedin', p.id,
                   least(now(), p.published_at + make_interval(hours => ((c.n * 53) % 720)::int)),
                   cast(case when c.n % (cast(:apps as int) / cast(:hired as int)) = 0 then 'hired'
                             else 'new' end as public.application_status)
            from (select id, row_number() over (order by id) as n from public.candidates) c
            join bench_posts p on p.n = 1 + (c.n * 104729) % :posts
            """), {"apps": APPLICATIONS, "hired": HIRED, "posts": POSTS})
        conn.execute(sa.text(
            "update public.hires h set hire_date = least(current_date, a.created_at::date + 30)"
            " from public.applications a where a.id = h.application_id"))
        conn.execute(sa.text(
            """
            insert into public.social_post_costs (post_id, amount, currency, spent_on, recorded_by)
            select id, 50 + n % 400, case when n % 3 = 0 then 'EUR' else 'USD' end, published_at::date, :me
            from bench_posts where n <= :costed
            """), {"costed": COSTED, "me": recruiter.user_id})
        for table in ("job_visits", "applications", "hires", "social_posts", "social_post_costs"):
            conn.exec_driver_sql(f"analyze public.{table}")
    return recruiter


def explain(recruiter: Actor, results_filter: perf.ResultsFilter) -> None:
    with transaction(recruiter) as conn:
        plan = conn.execute(sa.text("explain (analyze, buffers off, costs off) " + str(perf._POSTS_SQL)),
                            {**results_filter.params(), "limit": perf.PAGE_SIZE, "offset": 0}).scalars()
        print("\n".join(plan))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--explain", action="store_true", help="print the per-post query's plan")
    args = parser.parse_args()

    ensure_ready()
    started = time.perf_counter()
    recruiter = fill()
    print(f"filled {POSTINGS:,} postings, {POSTS} posts on {len(CHANNELS)} channels, {VISITS:,} visits, "
          f"{APPLICATIONS:,} applications ({HIRED} hired), spend on {COSTED} posts "
          f"in {time.perf_counter() - started:.0f} s\n")

    today = date.today()
    quarter = perf.ResultsFilter(today - timedelta(days=89), today)
    year = perf.ResultsFilter(today - timedelta(days=364), today)
    linkedin = perf.channels(recruiter)[0][0]
    one_channel = perf.ResultsFilter(quarter.start, quarter.end, channel_id=linkedin)
    if args.explain:
        explain(recruiter, quarter)
        explain(recruiter, perf.ResultsFilter(perf.EVER, today,
                                              job_id=perf.post_results(recruiter, year).rows[0].job_id))

    floor = transaction_floor(recruiter, "floor: an empty transaction as a recruiter")

    with transaction(recruiter) as conn:
        in_quarter = conn.execute(sa.text("select count(*) from public.job_visits where visited_at >= :s"),
                                  {"s": quarter.start}).scalar()
    runs = list(range(100))
    print(f"\nPost performance ({in_quarter:,} visits in the last 90 days; 100 runs each)")
    describe("channel_results, last 90 days", timings(
        lambda _: perf.channel_results(recruiter, quarter), runs), floor)
    describe("post_results, first page of 20, last 90 days", timings(
        lambda _: perf.post_results(recruiter, quarter), runs), floor)
    describe("channel_results, last 365 days", timings(
        lambda _: perf.channel_results(recruiter, year), runs), floor)
    describe("post_results, first page of 20, last 365 days", timings(
        lambda _: perf.post_results(recruiter, year), runs), floor)
    describe("post_results, first page, one channel, 90 days", timings(
        lambda _: perf.post_results(recruiter, one_channel), runs), floor)
    job = perf.post_results(recruiter, year).rows[0].job_id
    describe("posting_results, one posting since it went out", timings(
        lambda _: perf.posting_results(recruiter, job), runs), floor)

    def posts_csv(_):
        csv_bytes(perf.posts_table(perf.all_post_results(recruiter, year)))

    def workbook(_):
        perf.to_xlsx(perf.channels_table(perf.channel_results(recruiter, year)),
                     perf.posts_table(perf.all_post_results(recruiter, year)), year, "USD")

    print(f"\nExports, last 365 days ({len(perf.all_post_results(recruiter, year))} posts; 20 runs each)")
    describe("every post's row as CSV", timings(posts_csv, list(range(20))), floor)
    describe("both tables as an Excel workbook", timings(workbook, list(range(20))), floor)


if __name__ == "__main__":
    main()
