"""The company's social-media guidelines as an admin keeps them; posts are checked against
them by services.social.policy."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit
from portal.db import transaction
from portal.errors import ValidationError
from portal.models import Actor
from portal.permissions import require_admin, require_staff
from services.social.policy import Guidelines

MAX_TERMS, MAX_DISCLOSURES, MAX_PHRASE = 500, 50, 100


def load(conn: Connection) -> Guidelines:
    row = conn.execute(sa.text(
        "select confidential_terms, disclosures, disclosure_external, disclosure_internal"
        " from public.social_guidelines where id = 1")).one()
    return Guidelines(tuple(row.confidential_terms), tuple(row.disclosures),
                      row.disclosure_external, row.disclosure_internal)


def load_guidelines(actor: Actor) -> Guidelines:
    """The guidelines, for recruiters and admins: the confidential terms are confidential too."""
    with transaction(actor) as conn:
        require_staff(conn, "read the social-media guidelines")
        return load(conn)


def phrases(label: str, lines: Iterable[str], maximum: int) -> tuple[str, ...]:
    """A list of phrases as typed one a line: trimmed, inner spaces collapsed, empty lines
    and repeats (ignoring case) left out."""
    kept: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        phrase = " ".join(line.split())
        if not phrase:
            continue
        if len(phrase) < 2 or len(phrase) > MAX_PHRASE:
            raise ValidationError(f"{label}, line {number}: “{phrase[:40]}” must be 2 to {MAX_PHRASE} "
                                  "characters long.")
        kept.setdefault(phrase.casefold(), phrase)
    if len(kept) > maximum:
        raise ValidationError(f"{label}: at most {maximum} (this has {len(kept)}).")
    return tuple(kept.values())


def save_guidelines(actor: Actor, guidelines: Guidelines) -> Guidelines:
    """Check and store the guidelines; returns them as stored."""
    terms = phrases("Confidential terms", guidelines.confidential_terms, MAX_TERMS)
    disclosures = phrases("Accepted disclosures", guidelines.disclosures, MAX_DISCLOSURES)
    if not disclosures and (guidelines.disclosure_external or guidelines.disclosure_internal):
        raise ValidationError("Accepted disclosures: add at least one (e.g. “#ad” or “I work at "
                              "Northwind”), or require the disclosure for no audience.")
    clean = Guidelines(terms, disclosures, guidelines.disclosure_external, guidelines.disclosure_internal)
    with transaction(actor) as conn:
        require_admin(conn, "change the social-media guidelines")
        conn.execute(sa.text(
            "update public.social_guidelines set confidential_terms = :terms, disclosures = :disclosures,"
            " disclosure_external = :external, disclosure_internal = :internal, updated_at = now()"
            " where id = 1"),
            {"terms": list(terms), "disclosures": list(disclosures),
             "external": clean.disclosure_external, "internal": clean.disclosure_internal})
        # Terms are counted, not copied: one taken off the list should not live on in the log.
        audit.record(conn, "social_guidelines.changed", "social_guidelines", "1",
                     {"confidential_terms": str(len(terms)), "disclosures": "; ".join(disclosures),
                      "disclosure_external": str(clean.disclosure_external).lower(),
                      "disclosure_internal": str(clean.disclosure_internal).lower()})
    return clean
