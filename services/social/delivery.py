"""Automatic publishing: the worker sends due scheduled posts on channels that publish by
themselves (a webhook, or a network's API with credentials) and marks them published.

The worker's side (`due_posts`, `deliver`) runs as the owner; the state it keeps is in
public.social_post_deliveries (migration 20261128200000_social_delivery.sql, which also
explains why a post is sent at most once). Staff read it through `delivery_problems`,
which the calendar shows.

A failed attempt is tried again after 1, 5, 15 and 60 minutes (or later, if the network
asked for a longer wait), then given up; a refusal (HTTP 4xx other than 429: a wrong URL or
token will not heal) is given up at once. A given-up post stays scheduled and says why on
the calendar; scheduling it again starts afresh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, db
from portal.db import transaction
from portal.models import Actor
from portal.networks import NETWORKS
from portal.public_address import public_url
from portal.settings import Settings, settings
from portal.words import counted
from services.social import connections, publishing
from services.social.channel_text import link_of_post

log = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claim older than this belongs to a worker that stopped while sending (calls time out
# after seconds): the post may be out, so it becomes a failure to look at, not a retry.
CLAIM_TIMEOUT = timedelta(minutes=10)
STUCK_MESSAGE = ("The worker stopped while sending, so the post may or may not be out. Check the "
                 "channel, then mark the post published or schedule it again.")
_WORKFLOW_COMMENT = "published automatically ({method})"


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# --- the worker's side (owner) -----------------------------------------------------------------

def due_posts(now: datetime | None = None, config: Settings | None = None) -> list[UUID]:
    """The posts to send now: scheduled, due, on a channel that publishes by itself, not
    given up, not being sent. Also turns stuck claims into visible failures."""
    now, config = _now(now), config or settings()
    with db.owner_transaction() as conn:
        conn.execute(sa.text(
            "update public.social_post_deliveries set claimed_at = null, claim = null,"
            " given_up_at = :now, last_status = null, last_error = :stuck, updated_at = now()"
            " where claimed_at < :stale"), {"now": now, "stale": now - CLAIM_TIMEOUT, "stuck": STUCK_MESSAGE})
        scheduled = conn.execute(sa.text(
            "select p.id, p.scheduled_for, c.network::text as network,"
            " exists (select 1 from public.channel_webhooks w where w.channel_id = p.channel_id)"
            " as has_webhook,"
            " exists (select 1 from private.channel_connections k where k.channel_id = p.channel_id)"
            " as connected"
            " from public.social_posts p join public.social_channels c on c.id = p.channel_id"
            " where p.status = 'scheduled' and p.scheduled_for <= :now"), {"now": now}).all()
        automatic = [row for row in scheduled if publishing.publishing_method(
            row.network, row.has_webhook, config, row.connected) != publishing.SHARE_LINK]
        for row in automatic:
            # A post scheduled again (another time) starts afresh; one being sent is left alone.
            conn.execute(sa.text(
                "insert into public.social_post_deliveries (post_id, scheduled_for, next_attempt_at)"
                " values (:id, :at, :at) on conflict (post_id) do update"
                " set scheduled_for = excluded.scheduled_for, next_attempt_at = excluded.next_attempt_at,"
                " attempts = 0, last_status = null, last_error = null, given_up_at = null,"
                " delivered_at = null, updated_at = now()"
                " where social_post_deliveries.scheduled_for <> excluded.scheduled_for"
                " and social_post_deliveries.claimed_at is null"), {"id": row.id, "at": row.scheduled_for})
        return list(conn.execute(sa.text(
            "select d.post_id from public.social_post_deliveries d"
            " join public.social_posts p on p.id = d.post_id"
            " where d.post_id = any(:ids) and p.scheduled_for = d.scheduled_for and d.claimed_at is null"
            " and d.given_up_at is null and d.delivered_at is null and d.next_attempt_at <= :now"
            " order by p.scheduled_for"), {"ids": [row.id for row in automatic], "now": now}).scalars())


def worker_stopped(post_id: UUID, now: datetime | None = None) -> bool:
    """The worker sending this post died (portal.task_queue.recover_stalled_jobs): its claim
    becomes the failure `STUCK_MESSAGE` now rather than after `CLAIM_TIMEOUT`, since the post
    may be out; it is not sent again until someone schedules it again. True when there was
    such a claim (a worker that died before claiming left nothing: the post is still due)."""
    with db.owner_transaction() as conn:
        return bool(conn.execute(sa.text(
            "update public.social_post_deliveries set claimed_at = null, claim = null,"
            " given_up_at = :now, last_status = null, last_error = :stuck, updated_at = now()"
            " where post_id = :id and claimed_at is not null"),
            {"id": post_id, "now": _now(now), "stuck": STUCK_MESSAGE}).rowcount)


def claim(post_id: UUID, now: datetime | None = None) -> UUID | None:
    """Take a due post for sending, committed before anything is sent; None when another
    worker has it, or it is not due (any more)."""
    token = uuid4()
    with db.owner_transaction() as conn:
        claimed = conn.execute(sa.text(
            "update public.social_post_deliveries d set claimed_at = :now, claim = :token,"
            " attempts = d.attempts + 1, updated_at = now()"
            " from public.social_posts p"
            " where d.post_id = :id and p.id = d.post_id and p.status = 'scheduled'"
            " and p.scheduled_for = d.scheduled_for and d.claimed_at is null and d.given_up_at is null"
            " and d.delivered_at is null and d.next_attempt_at <= :now returning d.post_id"),
            {"id": post_id, "token": token, "now": _now(now)}).first()
    return token if claimed else None


def send(post_id: UUID, token: UUID, now: datetime | None = None, config: Settings | None = None) -> str:
    """Send a claimed post and record the outcome in the same transaction that holds the
    post: a posting closed (or the post unscheduled) in the meantime is not sent, and
    closing it waits while the post is being sent (seconds, the calls' timeout)."""
    now, config = _now(now), config or settings()
    with db.owner_transaction() as conn:
        row = conn.execute(sa.text(
            "select p.job_id, p.body, j.title, p.channel_id, c.network::text as network,"
            " w.url as webhook_url,"
            " d.attempts, array(select s.code from public.short_links s where s.post_id = p.id"
            " order by s.created_at) as short_codes from public.social_posts p"
            " join public.social_post_deliveries d on d.post_id = p.id"
            " join public.jobs j on j.id = p.job_id"
            " join public.social_channels c on c.id = p.channel_id"
            " left join public.channel_webhooks w on w.channel_id = p.channel_id"
            " where p.id = :id and d.claim = :token and p.status = 'scheduled'"
            " and p.scheduled_for = d.scheduled_for for update of p, d"),
            {"id": post_id, "token": token}).first()
        if row is None:
            conn.execute(sa.text(
                "update public.social_post_deliveries set claimed_at = null, claim = null,"
                " attempts = greatest(attempts - 1, 0), updated_at = now() where claim = :token"),
                {"token": token})
            return "not sent: the post is no longer scheduled"
        try:
            connected = connections.for_sending(conn, row.channel_id, config, now)
        except ValueError as unusable:  # expired, or the key that opens it was replaced
            return _record_failure(conn, post_id, row.attempts, publishing.PublishError(
                str(unusable), status=None, retryable=False), now)
        method = publishing.publishing_method(row.network, bool(row.webhook_url), config,
                                              connected is not None)
        outgoing = publishing.Outgoing(
            text=row.body, title=row.title,
            link=link_of_post(row.body, public_url(config), row.job_id, row.network, post_id, row.title,
                              row.short_codes))
        try:
            if method == publishing.SHARE_LINK:  # the webhook or the credentials went away
                raise publishing.PublishError(
                    f"{NETWORKS[row.network].label} has no webhook, connected page or API credentials"
                    " any more; share the post by hand.", status=None, retryable=False)
            url = publishing.publisher_for(row.network, row.webhook_url, config, connected).publish(outgoing)
        except publishing.PublishError as error:
            return _record_failure(conn, post_id, row.attempts, error, now)
        except Exception as error:
            # A bug: recorded rather than left as a stuck claim, and named by its type only
            # (its message could hold the webhook URL).
            log.error("Post %s: unexpected %s while sending", post_id, type(error).__name__)
            return _record_failure(conn, post_id, row.attempts, publishing.PublishError(
                f"Sending failed unexpectedly ({type(error).__name__}). Tell whoever runs the portal.",
                status=None, retryable=False), now)
        conn.execute(sa.text("select set_config('boomerang.post_event_comment', :comment, true)"),
                     {"comment": _WORKFLOW_COMMENT.format(method=method)})
        conn.execute(sa.text(
            "update public.social_posts set status = 'published', published_url = :url where id = :id"),
            {"id": post_id, "url": url})
        conn.execute(sa.text(
            "update public.social_post_deliveries set delivered_at = :now, claimed_at = null,"
            " claim = null, updated_at = now() where post_id = :id"), {"id": post_id, "now": now})
        audit.record(conn, "post.published", "social_post", str(post_id), {"by": method})
    return f"published ({method})"


def _record_failure(conn: Connection, post_id: UUID, attempts: int, error: publishing.PublishError,
                    now: datetime) -> str:
    if error.retryable and attempts < MAX_ATTEMPTS:
        wait = max(BACKOFF[attempts - 1], timedelta(seconds=min(error.retry_after or 0, 3600)))
        next_attempt, given_up = now + wait, None
    else:
        next_attempt, given_up = now, now
    conn.execute(sa.text(
        "update public.social_post_deliveries set claimed_at = null, claim = null, last_status = :status,"
        " last_error = :error, next_attempt_at = :next, given_up_at = :given_up, updated_at = now()"
        " where post_id = :id"),
        {"id": post_id, "status": error.status, "error": error.message[:300], "next": next_attempt,
         "given_up": given_up})
    outcome = "gave up" if given_up else f"will retry at {next_attempt:%H:%M} UTC"
    log.warning("Post %s not sent (attempt %d): %s; %s", post_id, attempts, error.message, outcome)
    return f"not sent: {error.message} ({outcome})"


def deliver(post_id: UUID, now: datetime | None = None, config: Settings | None = None) -> str:
    """Claim and send one post: what the worker's delivery task runs."""
    token = claim(post_id, now)
    if token is None:
        return "not sent: not due, or another worker has it"
    return send(post_id, token, now, config)


# --- for the calendar (staff) ------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    post_id: UUID
    method: str  # publishing.WEBHOOK, API or SHARE_LINK
    problem: str | None  # a sentence for the calendar; None when all is well


def deliveries(actor: Actor, post_ids: list[UUID], now: datetime | None = None,
               config: Settings | None = None) -> dict[UUID, Delivery]:
    """How each post is published and what went wrong, if anything, for the posts the
    actor may see (staff)."""
    now, config = _now(now), config or settings()
    with transaction(actor) as conn:
        rows = conn.execute(sa.text("select * from private.post_delivery_states(:ids)"),
                            {"ids": list(post_ids)}).all()
    found = {}
    for row in rows:
        method = publishing.publishing_method(row.network, row.has_webhook, config, row.connected)
        found[row.post_id] = Delivery(row.post_id, method, _problem(row, method, now))
    return found


def delivery_problems(actor: Actor, post_ids: list[UUID], now: datetime | None = None,
                      config: Settings | None = None) -> dict[UUID, str]:
    """Only the posts with a problem, and what it is."""
    found = deliveries(actor, post_ids, now, config)
    return {post_id: delivery.problem for post_id, delivery in found.items() if delivery.problem}


def _problem(row, method: str, now: datetime) -> str | None:
    if row.status != "scheduled" or row.scheduled_for is None or row.delivered_at:
        return None
    late = now - row.scheduled_for > timedelta(minutes=5)
    if row.given_up_at:
        tries = ("" if row.last_error == STUCK_MESSAGE
                 else f" Gave up after {counted(row.attempts, 'attempt')}.")
        return f"{row.last_error}{tries}"
    if row.claimed_at:
        return None  # being sent now
    if row.last_error:
        return f"{row.last_error} Will retry at {row.next_attempt_at.astimezone(UTC):%H:%M} UTC."
    if method == publishing.SHARE_LINK:
        return ("Due: share it by hand with its link, then mark it published."
                if row.scheduled_for <= now else None)
    if late:
        due = row.scheduled_for.astimezone(UTC)
        return f"Due since {due:%H:%M} UTC but not sent yet: is `portal worker` running?"
    return None
