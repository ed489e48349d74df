"""Social posts of a job posting, and their workflow: draft → submitted → approved →
scheduled → published, or rejected with a comment.

The rules (who may do what, which step may follow which, nobody approves their own
post) are enforced by the database, in `private.guard_social_post` (migration
20261127000000_social_posts.sql), and every transition is kept there with who and when.
This module asks for the transitions and turns the database's refusals, written for
users, into errors the pages show. A command that takes several steps (services/social/
review.py) takes them in one `workflow` transaction, with the functions here that take a
connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, validation
from portal.db import transaction, translate_refusals
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Page
from portal.networks import NETWORKS

STATUS_LABELS = {"draft": "Draft", "submitted": "Waiting for approval", "approved": "Approved",
                 "scheduled": "Scheduled", "published": "Published", "rejected": "Rejected"}
MAX_BODY = max(network.limit for network in NETWORKS.values())  # the longest any network takes


@dataclass(frozen=True)
class Post:
    id: UUID
    job_id: UUID
    job_title: str
    channel_id: UUID
    channel: str
    network: str
    topic_id: UUID | None
    topic: str | None
    body: str
    status: str
    author_id: UUID | None
    author: str | None
    approved_by: UUID | None
    review_comment: str | None
    scheduled_for: datetime | None
    published_at: datetime | None
    published_url: str | None


@dataclass(frozen=True)
class Waiting:
    """A submitted post, and since when it waits for an approver."""
    post: Post
    submitted_at: datetime


@dataclass(frozen=True)
class Transition:
    from_status: str | None
    to_status: str
    actor: str | None
    comment: str | None
    at: datetime


_POST = """
    select p.id, p.job_id, j.title as job_title, p.channel_id, c.name as channel,
           c.network::text as network, p.topic_id, t.name as topic, p.body, p.status::text as status,
           p.author_id, a.full_name as author, p.approved_by, p.review_comment,
           p.scheduled_for, p.published_at, p.published_url
    from public.social_posts p
    join public.jobs j on j.id = p.job_id
    join public.social_channels c on c.id = p.channel_id
    left join public.social_topics t on t.id = p.topic_id
    left join public.profiles a on a.id = p.author_id
"""


@contextmanager
def workflow(actor: Actor) -> Iterator[Connection]:
    """A transaction in which the workflow trigger's refusals become user-facing errors."""
    with translate_refusals(misfit="That change does not fit the post's state."), transaction(actor) as conn:
        yield conn


def _body(body: str) -> str:
    return validation.text("Post text", body, minimum=1, maximum=MAX_BODY)


def compose(actor: Actor, job_id: UUID, channel_id: UUID, body: str,
            topic_id: UUID | None = None, post_id: UUID | None = None) -> UUID:
    """A new draft post for a posting on a channel; `post_id` when its tracked link already
    carries the id it is to have."""
    with workflow(actor) as conn:
        return insert_draft(conn, job_id, channel_id, body, topic_id, post_id)


def insert_draft(conn: Connection, job_id: UUID, channel_id: UUID, body: str,
                 topic_id: UUID | None = None, post_id: UUID | None = None) -> UUID:
    body = _body(body)
    post_id = conn.execute(sa.text(
        "insert into public.social_posts (id, job_id, channel_id, topic_id, body, author_id)"
        " values (coalesce(:id, gen_random_uuid()), :job, :channel, :topic, :body, auth.uid())"
        " returning id"),
        {"id": post_id, "job": job_id, "channel": channel_id, "topic": topic_id,
         "body": body}).scalar_one()
    audit.record(conn, "post.drafted", "social_post", str(post_id))
    return post_id


def edit(actor: Actor, post_id: UUID, body: str, topic_id: UUID | None) -> None:
    with workflow(actor) as conn:
        update_text(conn, post_id, body, topic_id)


def update_text(conn: Connection, post_id: UUID, body: str, topic_id: UUID | None) -> None:
    _update(conn, post_id, "body = :body, topic_id = :topic", {"body": _body(body), "topic": topic_id})


def submit(actor: Actor, post_id: UUID) -> None:
    _move(actor, post_id, "submitted")


def reject(actor: Actor, post_id: UUID, comment: str) -> None:
    comment = validation.text("Why it is rejected", comment, minimum=2, maximum=2000)
    _move(actor, post_id, "rejected", review_comment=comment)


def back_to_draft(actor: Actor, post_id: UUID) -> None:
    _move(actor, post_id, "draft")


def schedule(actor: Actor, post_id: UUID, when: datetime, now: datetime | None = None) -> None:
    if when.tzinfo is None:
        raise ValidationError("Give the time with its time zone.")
    if when <= (now or datetime.now(UTC)):
        raise ValidationError("Choose a time in the future to schedule the post.")
    _move(actor, post_id, "scheduled", scheduled_for=when)


def unschedule(actor: Actor, post_id: UUID) -> None:
    _move(actor, post_id, "approved")


def mark_published(actor: Actor, post_id: UUID, url: str = "") -> None:
    """After sharing by hand (the network's share dialog): record that it is out."""
    url = validation.text("Link to the published post", url, maximum=2000)
    if url and not url.startswith(("https://", "http://")):
        raise ValidationError("The link to the published post must start with https://.")
    _move(actor, post_id, "published", published_url=url or None)


def _move(actor: Actor, post_id: UUID, status: str, **fields) -> None:
    with workflow(actor) as conn:
        move(conn, post_id, status, **fields)


def move(conn: Connection, post_id: UUID, status: str, **fields) -> None:
    """The post to `status`, if the workflow lets it (see the module's docstring)."""
    sets = ", ".join(["status = cast(:status as public.social_post_status)",
                      *(f"{name} = :{name}" for name in fields)])
    _update(conn, post_id, sets, {"status": status, **fields})
    audit.record(conn, f"post.{status}", "social_post", str(post_id))


def _update(conn: Connection, post_id: UUID, sets: str, params: dict) -> None:
    # `sets` is built in this module from column names only.
    changed = conn.execute(sa.text(f"update public.social_posts set {sets} where id = :id"),  # noqa: S608
                           {**params, "id": post_id}).rowcount
    if not changed:
        raise NotFound("That post does not exist, or you cannot see it.")


def post(actor: Actor, post_id: UUID) -> Post:
    with transaction(actor) as conn:
        return load_post(conn, post_id)


def load_post(conn: Connection, post_id: UUID) -> Post:
    row = conn.execute(sa.text(_POST + " where p.id = :id"), {"id": post_id}).first()
    if row is None:
        raise NotFound("That post does not exist, or you cannot see it.")
    return Post(**row._mapping)


def posts_for_job(actor: Actor, job_id: UUID) -> list[Post]:
    with transaction(actor) as conn:
        return load_posts_for_job(conn, job_id)


def load_posts_for_job(conn: Connection, job_id: UUID) -> list[Post]:
    rows = conn.execute(sa.text(
        _POST + " where p.job_id = :job order by coalesce(p.published_at, p.scheduled_for,"
        " p.created_at) desc, p.id"), {"job": job_id}).all()
    return [Post(**row._mapping) for row in rows]


def history(actor: Actor, post_id: UUID) -> list[Transition]:
    """Every step the post took, oldest first, with who and when."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select e.from_status::text as from_status, e.to_status::text as to_status,"
            " p.full_name as actor, e.comment, e.at"
            " from public.social_post_events e left join public.profiles p on p.id = e.actor_id"
            " where e.post_id = :id order by e.at, e.id"), {"id": post_id}).all()
    return [Transition(**row._mapping) for row in rows]


def waiting_for_approval(actor: Actor, page: int = 1, page_size: int = 10) -> Page[Waiting]:
    """Submitted posts, the longest waiting first."""
    with transaction(actor) as conn:
        total = conn.execute(sa.text(
            "select count(*) from public.social_posts where status = 'submitted'")).scalar_one()
        rows = conn.execute(sa.text(
            "select q.*, s.submitted_at from (" + _POST + ") q"  # noqa: S608 - constants only
            " cross join lateral (select max(e.at) as submitted_at from public.social_post_events e"
            "   where e.post_id = q.id and e.to_status = 'submitted') s"
            " where q.status = 'submitted' order by s.submitted_at, q.id limit :size offset :offset"),
            {"size": page_size, "offset": Page.offset(page, page_size)}).all()
    waiting = []
    for row in rows:
        fields = dict(row._mapping)
        submitted_at = fields.pop("submitted_at")
        waiting.append(Waiting(Post(**fields), submitted_at))
    return Page(waiting, total, max(1, page), page_size)
