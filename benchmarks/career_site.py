"""The career site over HTTP at scale: a job's server-rendered page, the short-link redirect, the
board's first page and the sitemap, served by a real `streamlit run streamlit_app.py` over
10,000 published jobs (and 2,000 closed or draft ones).

Each figure is the median and p95 of sequential requests on one kept-alive connection, beside
the floor in the same run and the same server: a route that answers a constant text
(`/robots.txt`, no database). Streamlit's own `/_stcore/health` is printed too: it waits on the
runtime and is no floor.

    .venv/bin/python benchmarks/career_site.py [--jobs 10000] [--requests 300]
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("career-site")

import httpx
import sqlalchemy as sa

from benchmarks.jobs_data import insert_jobs
from benchmarks.timing import describe, timings
from portal.db import ensure_ready, owner_transaction
from services.postings import career_site


def fill(job_count: int) -> list[tuple[str, str]]:
    """The jobs; for each published one, its career-site path and a short code."""
    with owner_transaction() as conn:
        conn.execute(sa.text("insert into public.company (id, name, tagline, about)"
                             " values (1, 'Northwind Analytics', 'Forecasting tools', '')"))
        insert_jobs(conn, job_count + job_count // 5,
                    f"case when i <= {int(job_count)} then 'published'"
                    " when i % 2 = 0 then 'closed' else 'draft' end")
        conn.execute(sa.text(
            "insert into public.short_links (code, job_id, source, utm_medium)"
            " select substr(md5(id::text), 1, 7), id, 'linkedin', 'social'"
            " from public.jobs where status = 'published'"))
        rows = conn.execute(sa.text("select j.id, j.title, s.code from public.jobs j"
                                    " join public.short_links s on s.job_id = j.id")).all()
        conn.execute(sa.text("analyze"))
    return [(career_site.address(row.title, row.id), row.code) for row in rows]


@contextmanager
def running_portal():
    """`streamlit run streamlit_app.py` on a free port, on this script's database; yields its
    address once it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{base_url} did not answer in 60 s")
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    ensure_ready()
    print(f"Filling {args.jobs:,} published jobs …", flush=True)
    paths = fill(args.jobs)
    rng = random.Random(7)
    sample = [rng.choice(paths) for _ in range(args.requests)]

    with running_portal() as base_url, \
            httpx.Client(base_url=base_url, timeout=30) as client:
        def get(path: str, status: int = 200) -> None:
            response = client.get(path)
            assert response.status_code == status, (path, response.status_code)

        print(f"\nOver HTTP, {args.requests} sequential requests each, one kept-alive connection:")
        floor_times = timings(lambda _: get("/robots.txt"), list(range(args.requests)))
        describe("floor: a constant text, /robots.txt", floor_times)
        floor = statistics.median(floor_times)
        describe("Streamlit's /_stcore/health",
                 timings(lambda _: get("/_stcore/health"), list(range(args.requests))), floor)
        describe("a job's page /careers/<title>-<id>",
                 timings(lambda item: get(item[0]), sample), floor)
        describe("short link /r/<code> (counts a visit, redirects)",
                 timings(lambda item: get(f"/r/{item[1]}", 302), sample), floor)
        describe("the board's first page /careers (50 jobs)",
                 timings(lambda _: get("/careers"), list(range(args.requests))), floor)
        describe(f"/sitemap.xml ({args.jobs:,} addresses)",
                 timings(lambda _: get("/sitemap.xml"), list(range(20))), floor)


if __name__ == "__main__":
    main()
