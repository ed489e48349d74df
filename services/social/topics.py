"""The approved topics social posts belong to. Approvers (and admins) add, retire and
restore them; the database's policy "topics: approvers keep them" enforces it. A retired
topic keeps its posts but is not offered for new ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, validation
from portal.db import transaction, translate_refusals
from portal.errors import NotFound, PermissionDenied
from portal.models import Actor


@dataclass(frozen=True)
class Topic:
    id: UUID
    name: str
    approved_by: str | None
    approved_at: datetime
    retired_at: datetime | None
    posts: int

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


def topics(actor: Actor, *, include_retired: bool = False) -> list[Topic]:
    """Topics by name; the ones still offered first."""
    with transaction(actor) as conn:
        return load_topics(conn, include_retired=include_retired)


def load_topics(conn: Connection, *, include_retired: bool = False) -> list[Topic]:
    rows = conn.execute(sa.text(
        "select t.id, t.name, p.full_name as approved_by, t.approved_at, t.retired_at,"
        " (select count(*) from public.social_posts s where s.topic_id = t.id) as posts"
        " from public.social_topics t left join public.profiles p on p.id = t.approved_by"
        " where :all or t.retired_at is null order by t.retired_at is not null, lower(t.name)"),
        {"all": include_retired}).all()
    return [Topic(**row._mapping) for row in rows]


def add_topic(actor: Actor, name: str) -> UUID:
    name = " ".join(validation.text("Topic", name, minimum=2, maximum=80).split())
    with translate_refusals(duplicate=f"There is already a topic “{name}”; restore it if it was retired.",
                            denied="Only approvers and admins add topics."), transaction(actor) as conn:
        topic_id = conn.execute(sa.text(
            "insert into public.social_topics (name) values (:name) returning id"),
            {"name": name}).scalar_one()
        audit.record(conn, "topic.added", "social_topic", str(topic_id), {"name": name})
    return topic_id


def retire_topic(actor: Actor, topic_id: UUID) -> None:
    _set_retired(actor, topic_id, retired=True)


def restore_topic(actor: Actor, topic_id: UUID) -> None:
    _set_retired(actor, topic_id, retired=False)


def _set_retired(actor: Actor, topic_id: UUID, *, retired: bool) -> None:
    with transaction(actor) as conn:
        changed = conn.execute(sa.text(
            "update public.social_topics set retired_at = case when :retired then now() end"
            " where id = :id"), {"id": topic_id, "retired": retired}).rowcount
        if changed:
            audit.record(conn, "topic.retired" if retired else "topic.restored", "social_topic",
                         str(topic_id))
    if not changed:
        # Staff see every topic, so an update that reached no row was refused by the policy.
        raise PermissionDenied("Only approvers and admins retire and restore topics.") if _visible(
            actor, topic_id) else NotFound("That topic does not exist.")


def _visible(actor: Actor, topic_id: UUID) -> bool:
    with transaction(actor) as conn:
        return conn.execute(sa.text("select 1 from public.social_topics where id = :id"),
                            {"id": topic_id}).first() is not None
