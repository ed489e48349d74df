"""Automatic publishing: the worker sends due scheduled posts by webhook or API to a real
local HTTP receiver, once, retried with back-off, given up on refusals, never after the
posting closed, and says what went wrong for the calendar without leaking a secret."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from portal import task_queue
from portal.db import act_as
from portal.models import Actor, Role
from portal.public_address import public_url
from portal.settings import Settings
from services import background_tasks
from services.people.accounts import create_account
from services.postings import tracking
from services.social import channel_text, posts, publishing, review
from services.social import delivery as social_delivery
from tests.support import in_a_thread

SECRET = "T0SECRET/B0SECRET/xoxSECRETpart"


# --- a real local HTTP receiver ------------------------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: object = "ok"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


class Receiver(BaseHTTPRequestHandler):
    replies: list[Reply] = []  # one per request, in order; then 200 "ok"
    requests: list[tuple[str, dict, bytes]] = []  # (path, headers, body)
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Receiver.lock:
            Receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            reply = Receiver.replies.pop(0) if Receiver.replies else Reply()
        if reply.delay:
            time.sleep(reply.delay)
        payload = reply.body if isinstance(reply.body, bytes) else (
            reply.body.encode() if isinstance(reply.body, str) else json.dumps(reply.body).encode())
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass


@pytest.fixture
def receiver():
    Receiver.replies, Receiver.requests = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# --- a scheduled post ---------------------------------------------------------------------------

NOW = datetime(2030, 3, 4, 10, 30, tzinfo=UTC)
BODY = "We are hiring a Data Engineer & more <fast>!"


@dataclass(frozen=True)
class World:
    publisher: Actor
    approver: Actor
    alumnus: Actor
    job: UUID
    topic: UUID
    base_url: str
    config: Settings

    def channel(self, engine, network: str, webhook: str | None = None) -> UUID:
        with engine.begin() as conn:
            channel_id = conn.execute(sa.text(
                "insert into public.social_channels (name, network, audience) values (:name,"
                " cast(:network as public.social_network), 'internal') returning id"),
                {"name": f"Our {network}", "network": network}).scalar_one()
            if webhook:
                conn.execute(sa.text("insert into public.channel_webhooks (channel_id, url) values (:c, :u)"),
                             {"c": channel_id, "u": webhook})
        return channel_id

    def scheduled_post(self, channel_id: UUID, at: datetime = NOW, body: str = BODY,
                       post_id: UUID | None = None) -> UUID:
        post_id = posts.compose(self.publisher, self.job, channel_id, body, self.topic, post_id)
        posts.submit(self.publisher, post_id)
        review.approve(self.approver, post_id)
        posts.schedule(self.publisher, post_id, at, now=at - timedelta(hours=1))
        return post_id


@pytest.fixture
def world(clean_db, receiver) -> World:
    actors = {}
    with clean_db.begin() as conn:
        for who, role in (("publisher", Role.RECRUITER), ("approver", Role.ADMIN), ("alumnus", Role.ALUMNUS)):
            user_id = create_account(conn, f"{who}@deliver.test", who.title(), role, None)
            actors[who] = Actor(user_id=user_id, email=f"{who}@deliver.test", role=role)
        conn.execute(sa.text("insert into public.social_roles (user_id, role) values (:u, 'publisher')"),
                     {"u": actors["publisher"].user_id})
        job = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, status)"
            " values ('Data Engineer', 'Data', 'Berlin', 'published') returning id")).scalar_one()
        topic = conn.execute(sa.text("insert into public.social_topics (name) values ('Open roles')"
                                     " returning id")).scalar_one()
    # The receiver is on 127.0.0.1: private webhook targets are allowed here explicitly.
    config = Settings(public_url="https://jobs.example.test", publish_timeout=2.0,
                      allow_private_webhooks=True, linkedin_api_url=receiver, x_api_url=receiver,
                      facebook_graph_url=f"{receiver}/v21.0")
    return World(**actors, job=job, topic=topic, base_url=receiver, config=config)


def _slack(world: World, clean_db) -> UUID:
    return world.channel(clean_db, "slack", f"{world.base_url}/services/{SECRET}")


def _state(engine, post_id: UUID):
    with engine.connect() as conn:
        return conn.execute(sa.text("select * from public.social_post_deliveries where post_id = :id"),
                            {"id": post_id}).first()


def _deliver(world: World, post_id: UUID, now: datetime = NOW) -> str:
    assert social_delivery.due_posts(now, world.config) == [post_id]
    return social_delivery.deliver(post_id, now, world.config)


# --- delivered once -----------------------------------------------------------------------------

def test_a_due_slack_post_is_delivered_once_with_slacks_json(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    assert social_delivery.due_posts(NOW - timedelta(minutes=1), world.config) == []  # not due yet

    assert _deliver(world, post_id) == "published (webhook)"

    [(path, headers, body)] = Receiver.requests
    assert path == f"/services/{SECRET}" and headers["content-type"] == "application/json"
    text = json.loads(body)["text"]
    assert text.startswith("We are hiring a Data Engineer &amp; more &lt;fast&gt;!\n\n<https://jobs.example.test/job?")
    assert f"post={post_id}" in text and "utm_source=slack" in text
    done = posts.post(world.publisher, post_id)
    assert (done.status, done.published_url) == ("published", None)
    last = posts.history(world.publisher, post_id)[-1]
    assert (last.from_status, last.to_status, last.comment) == ("scheduled", "published",
                                                                "published automatically (webhook)")
    # Nothing is due any more, and a second delivery of the same post sends nothing.
    assert social_delivery.due_posts(NOW + timedelta(hours=1), world.config) == []
    assert social_delivery.deliver(post_id, NOW + timedelta(hours=1), world.config).startswith("not sent")
    assert len(Receiver.requests) == 1
    assert social_delivery.delivery_problems(world.publisher, [post_id], NOW, world.config) == {}


def test_teams_gets_an_adaptive_card_with_the_text_and_the_job_link(clean_db, world):
    post_id = world.scheduled_post(world.channel(clean_db, "teams", f"{world.base_url}/teams/hook"))
    assert _deliver(world, post_id) == "published (webhook)"
    [(path, _, body)] = Receiver.requests
    message = json.loads(body)
    assert path == "/teams/hook" and message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][0]["text"] == BODY
    assert card["actions"][0]["url"].startswith("https://jobs.example.test/job?")
    assert card["actions"][0]["title"] == "View the job: Data Engineer"


def test_the_news_feed_gets_plain_json(clean_db, world):
    post_id = world.scheduled_post(world.channel(clean_db, "news_feed", f"{world.base_url}/feed"))
    _deliver(world, post_id)
    [(_, _, body)] = Receiver.requests
    sent = json.loads(body)
    assert sent["text"] == BODY and sent["title"] == "Data Engineer" and f"post={post_id}" in sent["link"]


def test_a_post_goes_out_with_the_short_link_its_text_carries_or_else_its_own(clean_db, world):
    """Drafted posts carry a short link (/r/<code>) made for their id before they are saved."""
    feed = world.channel(clean_db, "news_feed", f"{world.base_url}/feed")
    with_link, without_link = uuid4(), uuid4()
    links = {post_id: tracking.short_link(world.publisher, public_url(world.config), world.job,
                                          channel_text.post_source("news_feed", post_id, "Data Engineer"))
             for post_id in (with_link, without_link)}
    world.scheduled_post(feed, body=f"{BODY} {links[with_link]} #data", post_id=with_link)
    world.scheduled_post(feed, at=NOW + timedelta(minutes=1), post_id=without_link)  # its text lost the link
    _deliver(world, with_link)
    _deliver(world, without_link, NOW + timedelta(minutes=1))
    sent = [json.loads(body) for _, _, body in Receiver.requests]
    assert [message["link"] for message in sent] == [links[with_link], links[without_link]]
    assert all(link.startswith("https://jobs.example.test/r/") for link in links.values())


# --- failures, retries, giving up ---------------------------------------------------------------

def test_a_server_error_is_retried_after_a_minute_and_then_delivered(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    Receiver.replies = [Reply(500, "boom")]

    assert _deliver(world, post_id).startswith("not sent: Slack had a problem (HTTP 500).")
    state = _state(clean_db, post_id)
    assert (state.attempts, state.last_status, state.given_up_at) == (1, 500, None)
    assert state.next_attempt_at == NOW + timedelta(minutes=1)
    assert posts.post(world.publisher, post_id).status == "scheduled"
    assert social_delivery.delivery_problems(world.publisher, [post_id], NOW, world.config) == {
        post_id: "Slack had a problem (HTTP 500). Will retry at 10:31 UTC."}
    assert social_delivery.due_posts(NOW + timedelta(seconds=30), world.config) == []  # backing off

    assert _deliver(world, post_id, NOW + timedelta(minutes=1)) == "published (webhook)"
    assert len(Receiver.requests) == 2
    assert posts.post(world.publisher, post_id).status == "published"


def test_back_off_grows_then_gives_up_and_stays_visible(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    Receiver.replies = [Reply(503)] * social_delivery.MAX_ATTEMPTS
    at, waits = NOW, []
    for _ in range(social_delivery.MAX_ATTEMPTS):
        _deliver(world, post_id, at)
        state = _state(clean_db, post_id)
        waits.append(state.next_attempt_at - at)
        at = state.next_attempt_at
    assert waits[:-1] == list(social_delivery.BACKOFF)
    assert state.given_up_at is not None and state.attempts == social_delivery.MAX_ATTEMPTS
    assert social_delivery.due_posts(at + timedelta(days=1), world.config) == []
    assert social_delivery.delivery_problems(world.publisher, [post_id], at, world.config) == {
        post_id: "Slack had a problem (HTTP 503). Gave up after 5 attempts."}


def test_a_rate_limit_waits_as_long_as_the_network_asks(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    Receiver.replies = [Reply(429, "slow down", (("Retry-After", "600"),))]
    _deliver(world, post_id)
    assert _state(clean_db, post_id).next_attempt_at == NOW + timedelta(minutes=10)


def test_a_refusal_gives_up_at_once_and_says_what_to_check(clean_db, world, caplog):
    caplog.set_level(logging.DEBUG)
    post_id = world.scheduled_post(_slack(world, clean_db))
    Receiver.replies = [Reply(404, "no_service")]

    _deliver(world, post_id)

    state = _state(clean_db, post_id)
    assert (state.attempts, state.last_status) == (1, 404) and state.given_up_at is not None
    assert social_delivery.due_posts(NOW + timedelta(hours=2), world.config) == []
    problem = social_delivery.delivery_problems(world.publisher, [post_id], NOW, world.config)[post_id]
    assert problem == ("Slack refused the post (HTTP 404). Check the channel's webhook URL."
                       " Gave up after 1 attempt.")
    # The webhook URL is the secret: not in what is stored, shown or logged.
    assert "SECRET" not in state.last_error and "SECRET" not in problem
    assert "Slack refused the post" in caplog.text and "SECRET" not in caplog.text


def test_a_malformed_webhook_url_is_given_up_without_showing_it(clean_db, world):
    post_id = world.scheduled_post(world.channel(clean_db, "slack", "ftp://hooks.example/SECRET"))
    _deliver(world, post_id)
    state = _state(clean_db, post_id)
    assert state.given_up_at is not None and state.attempts == 1
    assert state.last_error == ("The address for Slack is not a valid http(s) URL. Check the channel's"
                                " webhook URL.")


def test_a_webhook_on_the_loopback_is_refused_without_the_allowance(clean_db, world, receiver):
    post_id = world.scheduled_post(_slack(world, clean_db))
    config = replace(world.config, allow_private_webhooks=False)
    assert social_delivery.due_posts(NOW, config) == [post_id]
    social_delivery.deliver(post_id, NOW, config)
    state = _state(clean_db, post_id)
    assert state.given_up_at is not None and state.attempts == 1
    assert state.last_error == ("The address for Slack is on a private or local network, where the"
                                " portal does not send. Check the channel's webhook URL.")
    assert Receiver.requests == []


def test_no_answer_in_time_is_retried(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    Receiver.replies = [Reply(200, "ok", delay=1.5)]
    config = replace(world.config, publish_timeout=0.5)
    assert social_delivery.due_posts(NOW, config) == [post_id]
    started = time.monotonic()
    assert social_delivery.deliver(post_id, NOW, config).startswith(
        "not sent: Slack did not answer within 0.5 s.")
    assert time.monotonic() - started < 1.4
    state = _state(clean_db, post_id)
    assert (state.last_status, state.given_up_at) == (None, None)
    assert state.next_attempt_at == NOW + timedelta(minutes=1)


def test_scheduling_a_given_up_post_again_starts_afresh(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    Receiver.replies = [Reply(404)]
    _deliver(world, post_id)
    posts.unschedule(world.publisher, post_id)
    later = NOW + timedelta(days=1)
    posts.schedule(world.publisher, post_id, later, now=NOW)
    assert social_delivery.delivery_problems(world.publisher, [post_id], NOW, world.config) == {}
    assert _deliver(world, post_id, later) == "published (webhook)"


# --- never twice ---------------------------------------------------------------------------------

def test_two_workers_at_the_same_moment_deliver_once(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    Receiver.replies = [Reply(200, "ok", delay=0.5)]
    assert social_delivery.due_posts(NOW, world.config) == [post_id]
    start = threading.Barrier(4)

    def worker(_):
        start.wait()
        return social_delivery.deliver(post_id, NOW, world.config)

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(worker, range(4)))
    assert sorted(outcomes)[-1] == "published (webhook)"
    assert sum(o == "published (webhook)" for o in outcomes) == 1
    assert len(Receiver.requests) == 1
    assert _state(clean_db, post_id).attempts == 1


def test_a_worker_that_died_while_sending_leaves_a_visible_failure_not_a_repeat(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    assert social_delivery.due_posts(NOW, world.config) == [post_id]
    assert social_delivery.claim(post_id, NOW) is not None  # … and the worker died before recording
    assert social_delivery.due_posts(NOW + timedelta(minutes=5), world.config) == []  # still "sending"
    assert social_delivery.due_posts(NOW + social_delivery.CLAIM_TIMEOUT + timedelta(minutes=1),
                                     world.config) == []
    assert social_delivery.delivery_problems(world.publisher, [post_id], NOW, world.config) == {
        post_id: social_delivery.STUCK_MESSAGE}
    assert Receiver.requests == []


def _close_job(engine, job_id: UUID) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("update public.jobs set status = 'closed', close_reason = 'filled',"
                             " closed_at = now() where id = :id"), {"id": job_id})


def test_a_post_of_a_closed_posting_is_not_delivered(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    _close_job(clean_db, world.job)
    assert social_delivery.due_posts(NOW, world.config) == []
    assert social_delivery.deliver(post_id, NOW, world.config).startswith("not sent")
    assert Receiver.requests == [] and posts.post(world.publisher, post_id).status == "approved"


def test_a_posting_closed_between_the_claim_and_the_sending_stops_the_post(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    assert social_delivery.due_posts(NOW, world.config) == [post_id]
    token = social_delivery.claim(post_id, NOW)
    _close_job(clean_db, world.job)
    outcome = social_delivery.send(post_id, token, NOW, world.config)
    assert outcome == "not sent: the post is no longer scheduled"
    assert Receiver.requests == []
    assert _state(clean_db, post_id).claimed_at is None


# --- the networks' APIs -------------------------------------------------------------------------

def _api_config(world: World) -> Settings:
    return replace(world.config, linkedin_access_token="li-SECRET-token",
                   linkedin_author_urn="urn:li:organization:42", x_bearer_token="x-SECRET-token",
                   facebook_page_id="1234", facebook_page_token="fb-SECRET-token")


OUTGOING = publishing.Outgoing(text="Join us (Berlin) #hiring", link="https://jobs.example.test/job?id=1",
                               title="Data Engineer")


def test_linkedin_gets_the_posts_api_request(world):
    Receiver.replies = [Reply(201, "", (("x-restli-id", "urn:li:share:777"),))]
    url = publishing.LinkedInPublisher(_api_config(world)).publish(OUTGOING)
    assert url == "https://www.linkedin.com/feed/update/urn:li:share:777/"
    [(path, headers, body)] = Receiver.requests
    assert path == "/rest/posts"
    assert headers["authorization"] == "Bearer li-SECRET-token"
    assert headers["linkedin-version"] == "202510" and headers["x-restli-protocol-version"] == "2.0.0"
    sent = json.loads(body)
    assert sent["author"] == "urn:li:organization:42" and sent["lifecycleState"] == "PUBLISHED"
    assert sent["commentary"] == r"Join us \(Berlin\) \#hiring"  # "little" text, escaped
    assert sent["content"] == {"article": {"source": OUTGOING.link, "title": "Data Engineer"}}
    assert sent["visibility"] == "PUBLIC" and sent["distribution"]["feedDistribution"] == "MAIN_FEED"


def test_x_gets_a_v2_tweet_with_the_link(world):
    Receiver.replies = [Reply(201, {"data": {"id": "1890", "text": "…"}})]
    url = publishing.XPublisher(_api_config(world)).publish(OUTGOING)
    assert url == "https://x.com/i/web/status/1890"
    [(path, headers, body)] = Receiver.requests
    assert path == "/2/tweets" and headers["authorization"] == "Bearer x-SECRET-token"
    assert json.loads(body) == {"text": f"{OUTGOING.text} {OUTGOING.link}"}


def test_facebook_gets_a_page_feed_post_with_the_token_in_the_body(world):
    Receiver.replies = [Reply(200, {"id": "1234_5678"})]
    url = publishing.FacebookPublisher(_api_config(world)).publish(OUTGOING)
    assert url == "https://www.facebook.com/1234_5678"
    [(path, headers, body)] = Receiver.requests
    assert path == "/v21.0/1234/feed" and "SECRET" not in path
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(body.decode()) == {"message": [OUTGOING.text], "link": [OUTGOING.link],
                                       "access_token": ["fb-SECRET-token"]}


def test_a_linkedin_channel_with_credentials_is_published_by_the_worker_with_its_url(clean_db, world):
    config = _api_config(world)
    post_id = world.scheduled_post(world.channel(clean_db, "linkedin"))
    Receiver.replies = [Reply(201, "", (("x-restli-id", "urn:li:share:9"),))]
    assert social_delivery.due_posts(NOW, config) == [post_id]
    assert social_delivery.deliver(post_id, NOW, config) == "published (api)"
    assert posts.post(world.publisher, post_id).published_url == "https://www.linkedin.com/feed/update/urn:li:share:9/"


def test_an_expired_token_is_not_retried_and_never_shown_or_logged(clean_db, world, caplog):
    caplog.set_level(logging.DEBUG)
    config = _api_config(world)
    post_id = world.scheduled_post(world.channel(clean_db, "x"))
    Receiver.replies = [Reply(401, {"title": "Unauthorized", "detail": "x-SECRET-token expired"})]
    assert social_delivery.due_posts(NOW, config) == [post_id]
    social_delivery.deliver(post_id, NOW, config)
    problem = social_delivery.delivery_problems(world.publisher, [post_id], NOW, config)[post_id]
    assert problem.startswith("X refused the post (HTTP 401). Check X_BEARER_TOKEN")
    assert "SECRET" not in problem and "SECRET" not in caplog.text
    assert "SECRET" not in repr(config) and "SECRET" not in repr(publishing.XPublisher(config))


@pytest.mark.parametrize(("network", "webhook", "credentials", "method"), [
    ("slack", True, False, "webhook"), ("teams", False, False, "share link"),
    ("news_feed", True, False, "webhook"), ("linkedin", False, False, "share link"),
    ("linkedin", False, True, "api"), ("x", False, False, "share link"), ("x", False, True, "api"),
    ("facebook", False, False, "share link"), ("facebook", True, True, "api"),
])
def test_how_each_channel_is_published(network, webhook, credentials, method):
    config = Settings(linkedin_access_token="t", linkedin_author_urn="urn:li:person:1", x_bearer_token="t",
                      facebook_page_id="1", facebook_page_token="t") if credentials else Settings()
    assert publishing.publishing_method(network, webhook, config) == method


def test_share_link_channels_are_not_sent_and_say_so_when_due(clean_db, world):
    post_id = world.scheduled_post(world.channel(clean_db, "linkedin"))  # no credentials
    assert social_delivery.due_posts(NOW, world.config) == []
    assert social_delivery.deliveries(world.publisher, [post_id], NOW, world.config)[post_id] == \
        social_delivery.Delivery(post_id, "share link", "Due: share it by hand with its link, then mark it"
                                                        " published.")


def test_delivery_state_is_for_staff_only(clean_db, world):
    post_id = world.scheduled_post(_slack(world, clean_db))
    seen = social_delivery.deliveries(world.publisher, [post_id], NOW, world.config)
    assert seen[post_id].method == "webhook"
    assert social_delivery.deliveries(world.alumnus, [post_id], NOW, world.config) == {}
    late = NOW + timedelta(minutes=20)
    assert social_delivery.delivery_problems(world.publisher, [post_id], late, world.config) == {
        post_id: "Due since 10:30 UTC but not sent yet: is `portal worker` running?"}
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, world.publisher)  # a recruiter: may know there is a webhook, not read it
        assert conn.execute(sa.text("select url from public.channel_webhooks")).all() == []


# --- the worker ---------------------------------------------------------------------------------

def test_the_due_posts_sweep_runs_every_minute_on_the_publishing_queue():
    task_queue.app.perform_import_paths()
    sweep = task_queue.app.periodic_registry.periodic_tasks[(background_tasks.DUE_POSTS_NAME, "every minute")]
    assert sweep.cron == "* * * * *" and sweep.task.queue == task_queue.PUBLISHING_QUEUE in task_queue.QUEUES
    assert background_tasks.deliver_post.queue == task_queue.PUBLISHING_QUEUE


@pytest.fixture
def private_webhooks_allowed(monkeypatch):
    """The worker reads the process's settings: allow the receiver on 127.0.0.1 there too."""
    config = replace(social_delivery.settings(), allow_private_webhooks=True)
    monkeypatch.setattr(social_delivery, "settings", lambda: config)


def test_the_worker_queues_each_due_post_once_and_sends_it(clean_db, world, private_webhooks_allowed):
    post_id = world.scheduled_post(_slack(world, clean_db))
    with clean_db.begin() as conn:  # due a minute ago, by the database's clock
        conn.execute(sa.text("update public.social_posts set scheduled_for = now() - interval '1 minute'"
                             " where id = :id"), {"id": post_id})

    async def sweep_twice() -> None:
        async with task_queue.app.open_async():
            for _ in range(2):
                await background_tasks.defer_due_posts(timestamp=int(time.time()))

    in_a_thread(asyncio.run, sweep_twice())
    with clean_db.connect() as conn:
        queued = conn.execute(sa.text("select args ->> 'post_id' from procrastinate.procrastinate_jobs"
                                      " where task_name = :name"),
                              {"name": background_tasks.DELIVER_POST_NAME}).scalars().all()
    assert queued == [str(post_id)]  # the queueing lock: one per post

    in_a_thread(task_queue.run, wait=False)

    assert len(Receiver.requests) == 1 and Receiver.requests[0][0] == f"/services/{SECRET}"
    assert posts.post(world.publisher, post_id).status == "published"


# --- a worker killed while sending (issue 17, finding 3) ------------------------------------------

def _queue_delivery(post_id: UUID) -> None:
    """What the every-minute sweep does for a due post: one delivery job, locked per post."""
    async def sweep() -> None:
        async with task_queue.app.open_async():
            await background_tasks.defer_due_posts(timestamp=int(time.time()))
    in_a_thread(asyncio.run, sweep())


def _due_now(engine, post_id: UUID) -> None:
    with engine.begin() as conn:  # due a minute ago, by the database's clock
        conn.execute(sa.text("update public.social_posts set scheduled_for = now() - interval '1 minute'"
                             " where id = :id"), {"id": post_id})


def _delivery_jobs(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select status::text from procrastinate.procrastinate_jobs where task_name = :name order by id"),
            {"name": background_tasks.DELIVER_POST_NAME}).scalars().all()


def _until(what, check, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    pytest.fail(f"waited {timeout:g} s for {what}")


def _start_worker(log) -> subprocess.Popen:
    env = {**os.environ, "PORTAL_WORKER_HEARTBEAT": "0.5", "PORTAL_ALLOW_PRIVATE_WEBHOOKS": "1",
           "PUBLISH_TIMEOUT": "60"}
    return subprocess.Popen([sys.executable, "-m", "portal_cli", "worker"], stdout=log, stderr=log,
                            env=env)


def test_a_worker_killed_mid_send_is_recovered_once_and_the_post_can_go_out_again(clean_db, world, tmp_path):
    """SIGKILL while the receiver holds the request; a new worker hands the dead one's job back:
    the post is reported as perhaps sent (never sent a second time by itself), its lock is
    free, and scheduling it again publishes it."""
    post_id = world.scheduled_post(_slack(world, clean_db))
    _due_now(clean_db, post_id)
    Receiver.replies = [Reply(delay=45)]  # holds the first request: the worker is mid-send
    with open(tmp_path / "worker.log", "w") as log:
        first = _start_worker(log)
        try:
            _queue_delivery(post_id)
            _until("the webhook request", lambda: len(Receiver.requests) == 1)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            first.kill()
        assert _delivery_jobs(clean_db) == ["doing"]  # what used to stay so for ever
        time.sleep(2)  # over three heartbeats of 0.5 s: the first worker has died

        second = _start_worker(log)
        try:
            _until("the dead worker's job to end", lambda: _delivery_jobs(clean_db) == ["succeeded"])
            assert len(Receiver.requests) == 1  # not sent a second time
            assert posts.post(world.publisher, post_id).status == "scheduled"
            assert social_delivery.delivery_problems(world.publisher, [post_id], config=world.config) == {
                post_id: social_delivery.STUCK_MESSAGE}

            # As the calendar advises: unschedule, schedule again; the worker sends it once.
            posts.unschedule(world.publisher, post_id)
            posts.schedule(world.publisher, post_id, datetime.now(UTC) + timedelta(hours=1))
            _due_now(clean_db, post_id)
            _queue_delivery(post_id)
            _until("the post to be published",
                   lambda: posts.post(world.publisher, post_id).status == "published")
            assert len(Receiver.requests) == 2
            assert _delivery_jobs(clean_db) == ["succeeded", "succeeded"]
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(timeout=60)
            finally:
                second.kill()
    logged = (tmp_path / "worker.log").read_text()
    assert "was running on a worker that stopped; queued again" in logged
    assert SECRET not in logged and "Traceback" not in logged


def _job_of_a_dead_worker(engine, post_id: UUID, *, queueing_lock: bool = True) -> int:
    """A delivery job left "doing" by a worker whose last heartbeat was an hour ago."""
    with engine.begin() as conn:
        worker = conn.execute(sa.text(
            "insert into procrastinate.procrastinate_workers (last_heartbeat)"
            " values (now() - interval '1 hour') returning id")).scalar_one()
        lock = background_tasks.delivery_lock(str(post_id))
        return conn.execute(sa.text(
            "insert into procrastinate.procrastinate_jobs (queue_name, task_name, lock, queueing_lock,"
            " args, status, worker_id) values (:queue, :task, :lock, :qlock, cast(:args as jsonb),"
            " 'doing', :worker) returning id"),
            {"queue": task_queue.PUBLISHING_QUEUE, "task": background_tasks.DELIVER_POST_NAME,
             "lock": lock, "qlock": lock if queueing_lock else None,
             "args": json.dumps({"post_id": str(post_id)}), "worker": worker}).scalar_one()


def _recover() -> list:
    async def recover():
        async with task_queue.app.open_async():
            return await task_queue.recover_stalled_jobs(background_tasks.BEFORE_RETRY)
    return in_a_thread(asyncio.run, recover())


def test_a_job_whose_worker_died_before_claiming_is_run_again_and_sends_once(
        clean_db, world, private_webhooks_allowed):
    post_id = world.scheduled_post(_slack(world, clean_db))
    _due_now(clean_db, post_id)
    job_id = _job_of_a_dead_worker(clean_db, post_id)
    [recovered] = _recover()
    assert (recovered.job_id, recovered.retried) == (job_id, True)
    assert _recover() == []  # handed back once

    def worker_runs_until_nothing_is_due() -> bool:
        in_a_thread(task_queue.run, wait=False)
        return posts.post(world.publisher, post_id).status == "published"

    # A worker keeps running; one that stops "when nothing is due" stopped once before the
    # recovered job was taken (1 fresh-clone run in 3): run it again, as a running one would.
    _until("the recovered job to send the post", worker_runs_until_nothing_is_due, timeout=30)
    assert len(Receiver.requests) == 1  # sent once, however many times the worker ran
    assert set(_delivery_jobs(clean_db)) == {"succeeded"}  # (the sweep may have queued it again too)


def test_a_dead_workers_claim_becomes_a_visible_failure_at_once(clean_db, world, private_webhooks_allowed):
    post_id = world.scheduled_post(_slack(world, clean_db))
    _due_now(clean_db, post_id)
    assert social_delivery.due_posts(config=world.config) == [post_id]
    assert social_delivery.claim(post_id) is not None  # … and the worker died sending
    _job_of_a_dead_worker(clean_db, post_id)
    _recover()
    assert social_delivery.delivery_problems(world.publisher, [post_id], config=world.config) == {
        post_id: social_delivery.STUCK_MESSAGE}  # now, not after CLAIM_TIMEOUT
    in_a_thread(task_queue.run, wait=False)
    assert Receiver.requests == [] and _delivery_jobs(clean_db) == ["succeeded"]


def test_a_dead_workers_job_already_queued_again_is_ended_as_failed(clean_db, world,
                                                                   private_webhooks_allowed):
    post_id = world.scheduled_post(_slack(world, clean_db))
    _due_now(clean_db, post_id)
    _job_of_a_dead_worker(clean_db, post_id)
    _queue_delivery(post_id)  # the sweep queued the post again meanwhile (its queueing lock was free)
    [recovered] = _recover()
    assert recovered.retried is False
    in_a_thread(task_queue.run, wait=False)
    assert _delivery_jobs(clean_db) == ["failed", "succeeded"]
    assert len(Receiver.requests) == 1 and posts.post(world.publisher, post_id).status == "published"


def test_dead_workers_jobs_are_recovered_every_minute_and_at_start():
    task_queue.app.perform_import_paths()
    sweep = task_queue.app.periodic_registry.periodic_tasks[(background_tasks.RECOVER_NAME, "every minute")]
    assert sweep.cron == "* * * * *" and sweep.task.queue in task_queue.QUEUES
    assert set(background_tasks.BEFORE_RETRY) == {background_tasks.DELIVER_POST_NAME,
                                                  background_tasks.SEND_EMAIL_NAME}
    assert task_queue.stalled_after() == 3 * task_queue.settings().worker_heartbeat
