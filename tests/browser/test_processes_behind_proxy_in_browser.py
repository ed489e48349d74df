"""Several processes on one database: two `streamlit run` behind Debian's HAProxy, configured
by `portal proxy-config` (cookie stickiness, health check on /healthz), and two `portal
worker`. Through the proxy, in Chromium: signing in lasts across a reload and on the other
process; a résumé upload and a CSV download reach the process that holds the browser's
session; both processes serve browsers; and a due post is sent once, whichever worker takes
it.

Skipped when HAProxy is missing (apt-get install haproxy), unless PORTAL_REQUIRE_BROWSER=1
(set by .ci/run, which installs it).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal import proxy, task_queue
from services import background_tasks, demo
from services.people import sessions
from services.social import posts, review
from tests.browser.helpers import (
    SCREENSHOTS,
    screenshot,
    server_log,
    settle,
    sidebar_nav,
    sign_in,
    streamlit_server,
    upload,
)
from tests.support import free_port, in_a_thread, make_pdf, signed_in, truncate_all

HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
BACKEND = "Senior Backend Engineer (Python)"
# What every app process shares besides the database and the settings (docs/operations.md):
# Streamlit's cookie secret, which signs its own cookies (single sign-on's identity).
SHARED = {"STREAMLIT_SERVER_COOKIE_SECRET": "the-same-secret-in-every-app-process"}


class Webhook(BaseHTTPRequestHandler):
    """A chat webhook on this machine: records each post it receives."""

    received: list[str] = []
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        with Webhook.lock:
            Webhook.received.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture(scope="module")
def webhook():
    Webhook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def cluster(engine, browser):
    """The demo data; two app processes, two workers and HAProxy in front; yields the proxy's
    URL and its statistics URL."""
    if HAPROXY is None:
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail("HAProxy is required (PORTAL_REQUIRE_BROWSER=1) but is missing:"
                        " apt-get install haproxy")
        pytest.skip("HAProxy is not installed (apt-get install haproxy)")
    truncate_all(engine)
    demo.load_demo()
    SCREENSHOTS.mkdir(exist_ok=True)
    with ExitStack() as stack:
        workers = []
        for n in (1, 2):
            log = stack.enter_context(server_log(f"portal-worker-{n}").open("w"))
            worker = subprocess.Popen(
                [sys.executable, "-m", "portal_cli", "worker"], stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PORTAL_ALLOW_PRIVATE_WEBHOOKS": "1", "PORTAL_WORKER_HEARTBEAT": "1"})
            stack.callback(_stop, worker)
            workers.append(worker)
        apps = [stack.enter_context(streamlit_server(SHARED, log_name=f"streamlit-process-{n}"))
                for n in (1, 2)]
        for app in apps:  # a fresh server's first run must be at "/" (see pages/README.md)
            warm_up = browser.new_page()
            warm_up.goto(app)
            settle(warm_up)
            warm_up.close()
        port, stats_port = free_port(), free_port()
        config = SCREENSHOTS / "haproxy.cfg"
        config.write_text(proxy.haproxy_config([app.removeprefix("http://") for app in apps],
                                               bind=f"127.0.0.1:{port}", stats=f"127.0.0.1:{stats_port}",
                                               check_interval="500ms"))
        log = stack.enter_context(server_log("haproxy").open("w"))
        haproxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
        stack.callback(_stop, haproxy)
        stats = f"http://127.0.0.1:{stats_port}{proxy.STATS_URI};csv"
        _until("HAProxy to see both app processes up", lambda: all(
            row["status"] == "UP" for row in _servers(stats).values()) and len(_servers(stats)) == 2)
        _until("both workers to run", lambda: _running_workers(engine) == 2)
        yield f"http://127.0.0.1:{port}", stats


def test_signed_in_across_reloads_on_either_process(cluster, browser):
    url, stats = cluster
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, url, "recruiter@example.com")
        first = _backend(page)
        page.reload()
        expect(page.get_by_role("heading", name="Recruiting overview")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        assert _backend(page) == first  # the same process, by the stickiness cookie

        # Sent to the other process (as when its own stops): the session cookie is in
        # Postgres, so the other process knows who it is.
        other = "app2" if first == "app1" else "app1"
        before = _servers(stats)[other]["stot"]
        context.add_cookies([{"name": proxy.COOKIE, "value": other, "url": url}])
        page.reload()
        expect(page.get_by_role("heading", name="Recruiting overview")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        settle(page)
        assert _servers(stats)[other]["stot"] > before
        assert any(c["name"] == sessions.COOKIE for c in context.cookies())
    finally:
        context.close()


def test_each_browser_keeps_to_its_process_and_both_serve(cluster, browser):
    url, stats = cluster
    contexts = [browser.new_context() for _ in range(2)]
    try:
        seen = []
        for context in contexts:
            page = context.new_page()
            page.goto(f"{url}/questions")
            expect(page.get_by_role("heading", name="Questions & answers")).to_be_visible()
            settle(page)
            seen.append(_backend(page))
        assert sorted(seen) == ["app1", "app2"]  # round robin: one browser on each process
    finally:
        for context in contexts:
            context.close()
    assert all(row["stot"] > 0 for row in _servers(stats).values())


def test_a_candidate_applies_with_a_resume_through_the_proxy(cluster, engine, browser, tmp_path):
    url, _stats = cluster
    with engine.connect() as conn:
        job_id = conn.execute(sa.text("select id from public.jobs where title = :t"),
                              {"t": BACKEND}).scalar_one()
    resume = tmp_path / "grace-hopper.pdf"
    resume.write_bytes(make_pdf("Grace Hopper, compilers"))
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/job?id={job_id}")
        expect(page.get_by_role("heading", name=BACKEND)).to_be_visible()
        settle(page)
        page.get_by_label("Full name").fill("Grace Hopper")
        page.get_by_label("Email").fill("grace@example.org")
        upload(page, resume)  # PUT /_stcore/upload_file/…: to the process holding the session
        page.get_by_text("I have read the privacy notice").click()
        page.get_by_role("button", name="Send application").click()
        expect(page.get_by_text("your application has been received")).to_be_visible()
        settle(page)
        screenshot(page, "processes-candidate-applied")
    finally:
        context.close()
    with engine.connect() as conn:
        resume_name = conn.execute(sa.text(
            "select a.resume_name from public.applications a join public.candidates c"
            " on c.id = a.candidate_id where c.email = 'grace@example.org'")).scalar_one()
    assert resume_name == "grace-hopper.pdf"


def test_a_csv_download_through_the_proxy(cluster, browser):
    url, _stats = cluster
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page: Page = context.new_page()
        sign_in(page, url, "recruiter@example.com")
        sidebar_nav(page).get_by_role("link", name="Referral programme").click()
        expect(page.get_by_role("heading", name="Referral programme", exact=True)).to_be_visible()
        settle(page)
        with page.expect_download() as download:  # GET /media/…: from the process holding the session
            page.get_by_role("button", name="By department as CSV").click()
        with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
            header = next(csv.reader(file))
        assert header[:2] == ["Department", "Referrals"]
    finally:
        context.close()


def test_due_posts_are_sent_once_with_two_workers(cluster, engine, webhook):
    recruiter, admin = signed_in("recruiter@example.com"), signed_in("admin@example.com")
    with engine.begin() as conn:
        channel = conn.execute(sa.text(
            "insert into public.social_channels (name, network, audience)"
            " values ('Team chat', 'slack', 'internal') returning id")).scalar_one()
        conn.execute(sa.text("insert into public.channel_webhooks (channel_id, url) values (:c, :u)"),
                     {"c": channel, "u": f"{webhook}/services/T0/B0/team"})
        job_id = conn.execute(sa.text("select id from public.jobs where title = :t"),
                              {"t": BACKEND}).scalar_one()
        topic = conn.execute(sa.text("select id from public.social_topics where approved_by is not null"
                                     " order by name limit 1")).scalar_one()
    post_ids = []
    for n in range(3):
        post_id = posts.compose(recruiter, job_id, channel, f"We are hiring, post {n}", topic)
        posts.submit(recruiter, post_id)
        review.approve(admin, post_id)
        posts.schedule(recruiter, post_id, datetime.now(UTC) + timedelta(hours=1))
        post_ids.append(post_id)
    with engine.begin() as conn:  # due a minute ago, by the database's clock
        conn.execute(sa.text("update public.social_posts set scheduled_for = now() - interval '1 minute'"
                             " where id = any(:ids)"), {"ids": post_ids})

    # The every-minute sweep, twice (as at two ticks, without waiting a minute for one): the
    # workers run both, and the posts are queued once and sent once, whichever worker runs what.
    async def sweep_from_each_worker() -> None:
        async with task_queue.app.open_async():
            for tick in range(2):
                await background_tasks.defer_due_posts.configure(
                    queueing_lock=f"{background_tasks.DUE_POSTS_NAME}:{tick}").defer_async(
                    timestamp=int(time.time()))
    in_a_thread(asyncio.run, sweep_from_each_worker())

    _until("the three posts to be published", lambda: all(
        posts.post(recruiter, post_id).status == "published" for post_id in post_ids))
    time.sleep(2)  # long enough for a second send to arrive, were there one
    assert len(Webhook.received) == 3
    for n in range(3):
        assert sum(f"We are hiring, post {n}" in body for body in Webhook.received) == 1
    assert _running_workers(engine) == 2
    with engine.connect() as conn:
        ran = conn.execute(sa.text(
            "select args ->> 'post_id', status::text from procrastinate.procrastinate_jobs"
            " where task_name = :name"), {"name": background_tasks.DELIVER_POST_NAME}).all()
    # A second sweep may queue a post again while its first job is sending it (the queueing
    # lock covers waiting jobs only): the claim in the database turns that job away unsent.
    assert {post for post, _ in ran} == {str(post_id) for post_id in post_ids}
    assert {status for _, status in ran} == {"succeeded"}


# --- helpers ----------------------------------------------------------------------------------

def _backend(page) -> str:
    """The app process HAProxy gave this browser (its stickiness cookie)."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == proxy.COOKIE)


def _servers(stats_url: str) -> dict[str, dict]:
    """HAProxy's statistics for each app process: {"app1": {"status": "UP", "stot": 12, …}}."""
    with urllib.request.urlopen(stats_url, timeout=5) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode().lstrip("# "))))
    return {row["svname"]: {"status": row["status"], "stot": int(row["stot"] or 0)}
            for row in rows if row["pxname"] == "app_processes" and row["svname"].startswith("app")}


def _running_workers(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select count(*) from procrastinate.procrastinate_workers"
            " where last_heartbeat > now() - interval '5 seconds'")).scalar_one()


def _until(what, check, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"waited {timeout:g} s for {what}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
