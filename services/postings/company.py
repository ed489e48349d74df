"""The company's public profile, and the facts about working there (benefits, hiring
process, locations) that answers to candidates' questions draw on."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, shared, validation
from portal.db import transaction
from portal.errors import NotFound
from portal.models import Actor
from portal.permissions import require_admin


@dataclass(frozen=True)
class Company:
    name: str
    tagline: str
    about: str
    website: str | None


def company_profile(actor: Actor) -> Company | None:
    """The company's public profile (the same for everyone: shared until it changes)."""
    return shared.visitors_view("company", load_profile)


def load_profile(conn: Connection) -> Company | None:
    row = conn.execute(sa.text(
        "select name, tagline, about, website from public.company where id = 1")).first()
    return Company(**row._mapping) if row else None


# --- company facts: what drafted answers may draw on ---------------------------------------

FACT_TOPICS = {"benefits": "Benefits", "process": "Hiring process", "locations": "Locations",
               "culture": "Culture", "other": "Other"}


@dataclass(frozen=True)
class Fact:
    id: UUID
    topic: str
    title: str
    body: str


def load_facts(conn: Connection) -> list[Fact]:
    rows = conn.execute(sa.text("select id, topic, title, body from public.company_facts"
                                " order by topic, title, id")).all()
    return [Fact(**row._mapping) for row in rows]


def facts(actor: Actor) -> list[Fact]:
    """Every fact (an admin keeps a few dozen at most, so no paging); public, so shared
    until one changes."""
    return shared.visitors_view("company facts", load_facts)


def save_fact(actor: Actor, *, topic: str, title: str, body: str, fact_id: UUID | None = None) -> UUID:
    """Add a fact, or change the one with `fact_id`."""
    problems = validation.FormProblems()  # every field's problem at once
    if topic not in FACT_TOPICS:
        problems.add("topic", f"Choose a topic: {', '.join(FACT_TOPICS.values())}.")
    title = problems.check("title", validation.text, "Title", title, minimum=2, maximum=120)
    body = problems.check("body", validation.text, "Text", body, minimum=2, maximum=4000)
    problems.raise_any()
    with transaction(actor) as conn:
        require_admin(conn, "keep the company facts")
        values = {"id": fact_id, "topic": topic, "title": title, "body": body}
        if fact_id is None:
            fact_id = conn.execute(sa.text(
                "insert into public.company_facts (topic, title, body)"
                " values (:topic, :title, :body) returning id"), values).scalar_one()
        elif not conn.execute(sa.text(
                "update public.company_facts set topic = :topic, title = :title, body = :body,"
                " updated_at = now() where id = :id"), values).rowcount:
            raise NotFound("That fact no longer exists; someone may have deleted it.")
        audit.record(conn, "company.fact_saved", "company_fact", str(fact_id), {"title": title})
    return fact_id


def delete_fact(actor: Actor, fact_id: UUID) -> None:
    with transaction(actor) as conn:
        require_admin(conn, "keep the company facts")
        conn.execute(sa.text("delete from public.company_facts where id = :id"), {"id": fact_id})
        audit.record(conn, "company.fact_deleted", "company_fact", str(fact_id))
