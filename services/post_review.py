"""Checking, saving and submitting social posts, and the approvers' queue.

A post is checked against the social-media guidelines for its channel's audience and
measured as its network counts; a blocking finding, or a text too long for the channel,
stops it from being submitted. Approvers see the same check again, made when they look.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa

from portal.db import transaction
from portal.errors import NotFound, ValidationError
from portal.models import Actor
from services import channel_text, social_guidelines, social_posts
from services.social_policy import Finding, Guidelines, check_post, is_blocked

SOCIAL_ROLES = ("publisher", "editor", "approver")


@dataclass(frozen=True)
class SocialChannel:
    id: UUID
    name: str
    network: str
    audience: str  # internal or external

    @property
    def rules(self) -> channel_text.Channel:
        return channel_text.for_network(self.network)


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


_CHANNELS = "select id, name, network::text as network, audience from public.social_channels"


def social_roles(actor: Actor) -> frozenset[str]:
    """The social roles the actor holds (an admin holds all three)."""
    if not actor.signed_in:
        return frozenset()
    with transaction(actor) as conn:
        held = conn.execute(sa.text(
            "select r::text from unnest(enum_range(null::public.social_role)) r"
            " where private.has_social_role(r)")).scalars().all()
    return frozenset(held)


def channels(actor: Actor, *, active_only: bool = True) -> list[SocialChannel]:
    where = " where active" if active_only else ""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(_CHANNELS + where + " order by name")).all()
    return [SocialChannel(**row._mapping) for row in rows]


def channel(actor: Actor, channel_id: UUID) -> SocialChannel:
    with transaction(actor) as conn:
        row = conn.execute(sa.text(_CHANNELS + " where id = :id"), {"id": channel_id}).first()
    if row is None:
        raise NotFound("That channel does not exist, or you cannot see it.")
    return SocialChannel(**row._mapping)


def guidelines(actor: Actor) -> Guidelines:
    return social_guidelines.load_guidelines(actor)


def check(body: str, channel: SocialChannel, rules: Guidelines) -> PostCheck:
    return PostCheck(channel_text.length_on(channel.rules.key, body), channel.rules.limit,
                     check_post(body, rules, channel.audience))


def save_draft(actor: Actor, job_id: UUID, channel_id: UUID, post_id: UUID, body: str,
               topic_id: UUID | None) -> None:
    """Save a composed post as a draft, or its changes if it was saved before."""
    with transaction(actor) as conn:
        exists = conn.execute(sa.text("select 1 from public.social_posts where id = :id"),
                              {"id": post_id}).first()
    if exists:
        social_posts.edit(actor, post_id, body, topic_id)
    else:
        social_posts.compose(actor, job_id, channel_id, body, topic_id, post_id=post_id)


def _refuse_if_blocked(actor: Actor, post: social_posts.Post, then: str) -> None:
    result = check(post.body, channel(actor, post.channel_id), guidelines(actor))
    if result.too_long:
        raise ValidationError(f"The post is {result.length - result.limit:,} characters too long for "
                              f"{post.channel}. Shorten it, then {then}.")
    if result.blocked:
        raise ValidationError("The post does not follow the social-media guidelines: fix what is "
                              f"marked as blocking, then {then}.")


def submit_for_approval(actor: Actor, post_id: UUID) -> None:
    """Submit a saved draft or rejected post, unless its check blocks it."""
    post = social_posts.post(actor, post_id)
    _refuse_if_blocked(actor, post, "submit it")
    if post.status == "rejected":  # the workflow goes back through draft
        social_posts.back_to_draft(actor, post_id)
    social_posts.submit(actor, post_id)


def approve(actor: Actor, post_id: UUID) -> None:
    """Approve a submitted post, unless the guidelines (which may have changed since it was
    submitted) block it now."""
    _refuse_if_blocked(actor, social_posts.post(actor, post_id), "submit it again")
    social_posts.approve(actor, post_id)
