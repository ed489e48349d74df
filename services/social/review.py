"""Checking, saving and submitting social posts, and the approvers' queue.

A post is checked against the social-media guidelines for its channel's audience and
measured as its network counts; a blocking finding, or a text too long for the channel,
stops it from being submitted. Approvers see the same check again, made when they look,
and it is made once more as they approve. Each command here is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.db import one_transaction, transaction
from portal.errors import ValidationError
from portal.models import Actor, Page
from portal.networks import NETWORKS
from portal.permissions import require_staff
from services.social import channel_text
from services.social import guidelines as social_guidelines
from services.social import posts as social_posts
from services.social.channels import Channel, list_channels, load_channels
from services.social.policy import Finding, Guidelines, check_post, is_blocked
from services.social.posts import Post, Transition, Waiting, load_posts_for_job
from services.social.topics import Topic, load_topics

SOCIAL_ROLES = ("publisher", "editor", "approver")


@dataclass(frozen=True)
class PostCheck:
    """What the composer and the approver see beside a post's text."""
    length: int
    limit: int
    findings: list[Finding]

    @property
    def too_long(self) -> bool:
        return self.length > self.limit

    @property
    def blocked(self) -> bool:
        return self.too_long or is_blocked(self.findings)


def social_roles(actor: Actor) -> frozenset[str]:
    """The social roles the actor holds (an admin holds all three)."""
    if not actor.signed_in:
        return frozenset()
    with transaction(actor) as conn:
        return _roles(conn)


def _roles(conn: Connection) -> frozenset[str]:
    return frozenset(conn.execute(sa.text(
        "select r::text from unnest(enum_range(null::public.social_role)) r"
        " where private.has_social_role(r)")).scalars().all())


@dataclass(frozen=True)
class PostingSocial:
    """What a posting's "Channel posts" tab shows and its composer checks against."""

    roles: frozenset[str]
    channels: list[Channel]
    topics: list[Topic]
    guidelines: Guidelines
    posts: list[Post]


def posting_social(actor: Actor, job_id: UUID) -> PostingSocial:
    """One read for a posting's social posts and everything their composer needs."""
    with transaction(actor) as conn:
        require_staff(conn, "see a posting's social posts")
        return PostingSocial(_roles(conn), load_channels(conn), load_topics(conn),
                             social_guidelines.load(conn), load_posts_for_job(conn, job_id))


@dataclass(frozen=True)
class ApprovalsScreen:
    """What the Post approvals page shows, read in one transaction."""

    roles: frozenset[str]  # the viewer's social roles
    waiting: Page[Waiting]  # the page asked for, the longest waiting first
    channels: dict[UUID, Channel]
    guidelines: Guidelines  # each post is checked against them as it is shown
    histories: dict[UUID, list[Transition]]  # of the posts on that page


def approvals_screen(actor: Actor, page: int = 1, page_size: int = 10) -> ApprovalsScreen:
    with one_transaction(actor):
        waiting = social_posts.waiting_for_approval(actor, page, page_size)
        return ApprovalsScreen(social_roles(actor), waiting, {c.id: c for c in list_channels(actor)},
                               guidelines(actor),
                               {w.post.id: social_posts.history(actor, w.post.id) for w in waiting.rows})


def guidelines(actor: Actor) -> Guidelines:
    return social_guidelines.load_guidelines(actor)


def check(body: str, channel: Channel, rules: Guidelines) -> PostCheck:
    """The post measured on its channel's network, and checked for its channel's audience."""
    return PostCheck(channel_text.length_on(channel.network, body), NETWORKS[channel.network].limit,
                     check_post(body, rules, channel.audience))


def save_draft(actor: Actor, job_id: UUID, channel_id: UUID, post_id: UUID, body: str,
               topic_id: UUID | None) -> None:
    """Save a composed post as a draft, or its changes if it was saved before."""
    with social_posts.workflow(actor) as conn:
        if conn.execute(sa.text("select 1 from public.social_posts where id = :id"), {"id": post_id}).first():
            social_posts.update_text(conn, post_id, body, topic_id)
        else:
            social_posts.insert_draft(conn, job_id, channel_id, body, topic_id, post_id=post_id)


def _refuse_if_blocked(conn: Connection, post: social_posts.Post, then: str) -> None:
    require_staff(conn, "check social posts against the guidelines")
    channel = next(c for c in load_channels(conn) if c.id == post.channel_id)
    result = check(post.body, channel, social_guidelines.load(conn))
    if result.too_long:
        raise ValidationError(f"The post is {result.length - result.limit:,} characters too long for "
                              f"{post.channel}. Shorten it, then {then}.")
    if result.blocked:
        raise ValidationError("The post does not follow the social-media guidelines: fix what is "
                              f"marked as blocking, then {then}.")


def submit_for_approval(actor: Actor, post_id: UUID) -> None:
    """Submit a saved draft or rejected post, unless its check blocks it."""
    with social_posts.workflow(actor) as conn:
        post = social_posts.load_post(conn, post_id)
        _refuse_if_blocked(conn, post, "submit it")
        if post.status == "rejected":  # the workflow goes back through draft
            social_posts.move(conn, post_id, "draft")
        social_posts.move(conn, post_id, "submitted")


def approve(actor: Actor, post_id: UUID) -> None:
    """Approve a submitted post, unless the guidelines (which may have changed since it was
    submitted) block it now."""
    with social_posts.workflow(actor) as conn:
        _refuse_if_blocked(conn, social_posts.load_post(conn, post_id), "submit it again")
        social_posts.move(conn, post_id, "approved")
