"""The candidates' side at scale: similar-question lookup over 100,000 questions and the
public job board's first page over 10,000 open jobs.

Fills a throwaway embedded Postgres with 10,000 open jobs (and 2,000 closed or draft
ones) and 100,000 questions (70 % published with an answer, the rest waiting, answered
privately or rejected), written from a few hundred phrasings so that words repeat as
they do in real questions. Then, as a visitor (row-level security on), times:

- similar-question lookup (`questions.similar`, what the asker sees while typing) for
  300 texts: reworded, misspelt and unrelated questions; median and p95;
- the board's first page (`jobs.list_jobs`, the count and ten rows) with no filter, with
  a search word and with two filters; median and p95 over 100 runs each;

each beside its floor in the same run: an empty transaction as the visitor (what any
page pays to ask the database anything), and for each board page the same page as plain
SQL with the same filter, columns and order (a search through the same word index).

    .venv/bin/python benchmarks/candidates.py [--questions 100000] [--jobs 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("candidates")

import sqlalchemy as sa

from benchmarks.jobs_data import insert_jobs
from benchmarks.timing import describe, timings
from portal.db import ensure_ready, owner_transaction, transaction
from portal.models import Actor
from services.candidates import questions
from services.postings import listings as jobs

SUBJECTS = ["the backend role", "the SRE role", "remote work", "the hiring process", "relocation",
            "the salary range", "parental leave", "the interview", "visa sponsorship", "the design team",
            "the sales role", "on-call", "the learning budget", "part-time work", "the Berlin office",
            "the London office", "the Austin office", "internships", "the graduate programme",
            "equipment", "pension", "health insurance", "holidays", "the product team", "referrals"]
ASKS = ["Can you tell me more about {s}?", "How does {s} work for new starters?",
        "Is there any flexibility around {s}?", "What should I know about {s} before applying?",
        "Who decides on {s} and when?", "Does {s} differ between countries?",
        "Is {s} the same for contractors?", "How long does {s} take?",
        "What do current employees think of {s}?", "Could you explain {s} in a bit more detail?",
        "Has {s} changed recently?", "Where can I read about {s}?"]
ANSWERS = ["Yes. It is described in the offer letter, and your recruiter walks you through it.",
           "It depends on the country; we follow local law and add to it where we can.",
           "Usually within two weeks; the hiring manager decides together with the team.",
           "Not at the moment, but we review it every year and publish any change here."]


def fill(job_count: int, question_count: int) -> None:
    with owner_transaction() as conn:
        # 10,000 open ones, and a fifth as many closed or draft.
        insert_jobs(conn, job_count + job_count // 5,
                    f"case when i <= {int(job_count)} then 'published'"
                    " when i % 2 = 0 then 'closed' else 'draft' end")
        rng = random.Random(4)
        rows = []
        for n in range(question_count):
            subject = rng.choice(SUBJECTS)
            body = rng.choice(ASKS).format(s=subject) + f" (ref {n % 997})"
            status = rng.choices(["published", "pending", "answered_privately", "rejected"],
                                 weights=[70, 15, 10, 5])[0]
            answered = status in ("published", "answered_privately")
            rows.append({"body": body, "status": status,
                         "answer": rng.choice(ANSWERS) if answered else None,
                         "topic": subject.replace("the ", "").capitalize()
                         if status == "published" else None})
        for start in range(0, len(rows), 20_000):
            conn.execute(sa.text(
                "insert into public.questions (body, status, answer, topic, answered_at)"
                " values (:body, cast(:status as public.question_status), cast(:answer as text), :topic,"
                " case when cast(:answer as text) is null then null else now() end)"),
                rows[start:start + 20_000])
        conn.exec_driver_sql("analyze public.questions")


def lookups(count: int) -> list[str]:
    rng = random.Random(9)
    texts = []
    for n in range(count):
        subject = rng.choice(SUBJECTS)
        kind = n % 3
        if kind == 0:  # reworded
            texts.append(f"I would like to know about {subject} please")
        elif kind == 1:  # misspelt
            text = rng.choice(ASKS).format(s=subject)
            i = rng.randrange(5, len(text) - 5)
            texts.append(text[:i] + text[i + 1:])
        else:  # nothing like it
            texts.append(rng.choice(["Do you have a cafeteria with vegan food?",
                                     "Are pets welcome at the summer party?",
                                     "What colour is the logo?"]))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    args = parser.parse_args()

    ensure_ready()
    started = time.perf_counter()
    fill(args.jobs, args.questions)
    print(f"filled {args.jobs:,} open jobs and {args.questions:,} questions in "
          f"{time.perf_counter() - started:.0f} s\n")
    visitor = Actor.visitor()

    def empty(_):
        with transaction(visitor) as conn:
            conn.execute(sa.text("select 1")).one()

    floor_times = timings(empty, list(range(200)))
    floor = statistics.median(floor_times)
    describe("floor: an empty transaction as a visitor", floor_times)

    print(f"\nsimilar-question lookup over {args.questions:,} questions (300 texts)")
    texts = lookups(300)
    found = []

    def computed(text):  # what questions.similar computes when its shared result is stale
        with transaction(visitor) as conn:
            found.append(len(questions.similar_in(conn, text)))

    times = timings(computed, texts)
    describe("questions.similar computed (FTS + trigram, top 5)", times, floor)
    hits = sum(1 for n in found[1:] if n)
    print(f"  texts with at least one suggestion: {hits} of {len(texts)}")

    print(f"\njob board first page over {args.jobs:,} open jobs (100 runs each), each beside"
          " the same page as plain SQL (same filter, same columns, same order, as a visitor)")
    columns = jobs.job_columns(visitor)

    def plain_page(where: str, params: dict):
        count = sa.text(f"select count(*) from public.jobs where status = 'published' {where}")  # noqa: S608
        page = sa.text(f"select {columns} from public.jobs where status = 'published' {where}"  # noqa: S608
                       f" {jobs.ORDER} limit 10")

        def run(_):
            with transaction(visitor) as conn:
                conn.execute(count, params).one()
                conn.execute(page, params).all()
        return run

    cases = [
        ("no filter", {}, "", {}),
        ("search 'reliability'", {"search": "reliability"},
         "and id in (select private.jobs_matching(:pattern))", {"pattern": "%reliability%"}),
        ("department + remote filters", {"department": "Engineering", "remote_policy": "remote"},
         "and department = :department and remote_policy = :remote",
         {"department": "Engineering", "remote": "remote"}),
    ]
    for label, filters, where, params in cases:
        floor_times = timings(plain_page(where, params), list(range(100)))
        describe(f"floor: plain SQL, {label}", floor_times)
        describe(f"jobs.list_jobs, {label}", timings(
            lambda _, f=filters: jobs.list_jobs(visitor, page_size=10, **f), list(range(100))),
            statistics.median(floor_times))
    choices = sa.text("select array(select distinct department from public.jobs where status = 'published'"
                      " order by 1), array(select distinct location from public.jobs"
                      " where status = 'published' order by 1)")

    def plain_choices(_):
        with transaction(visitor) as conn:
            conn.execute(choices).one()

    floor_times = timings(plain_choices, list(range(100)))
    describe("floor: plain SQL, the filter choices", floor_times)
    describe("jobs.board_filters (the filter choices)", timings(
        lambda _: jobs.board_filters(visitor), list(range(100))), statistics.median(floor_times))
    describe("jobs.board (what the board page asks: shared, nothing changed)", timings(
        lambda _: jobs.board(page_size=10), list(range(100))), floor)


if __name__ == "__main__":
    main()
