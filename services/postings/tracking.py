"""Tracked links: which post, campaign or referral brought a visitor to a job.

A job link carries `utm_source`, `utm_medium`, `utm_campaign` and the social post's id
(`post`), or an alumnus's referral code (`ref`). The job page records one visit per
browser session with them, and an application made in that session carries them, so
visits, applications and hires are credited to what brought them.

A short link (`/r/<code>`) stands for such a link. Following it counts the visit on the
server (bots apart) and leads to the long link with the visit's id (`visit`), so that the job
page does not count it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

import sqlalchemy as sa
from crawlerdetect import CrawlerDetect
from sqlalchemy.engine import Connection

from portal.addresses import SHORT_LINK_PATH
from portal.db import transaction, translate_refusals
from portal.models import Actor
from portal.public_address import public_url

_TOKEN = re.compile(r"[^a-z0-9_.\-]")


def _clean(value: object, limit: int = 100) -> str | None:
    """A tracking value as we keep it: lower case, letters, digits and `_.-`, bounded.
    Links get copied, shortened and mangled; a bad value is dropped, never an error."""
    text = _TOKEN.sub("", str(value or "").strip().lower().replace(" ", "_"))[:limit]
    return text or None


@dataclass(frozen=True)
class TrackedSource:
    source: str = "direct"
    medium: str | None = None
    campaign: str | None = None
    post_id: UUID | None = None
    referral_code: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> TrackedSource:
        """Read from a page's query parameters (whatever a visitor typed into them)."""
        try:
            post_id = UUID(str(params.get("post") or "").strip()) if params.get("post") else None
        except ValueError:
            post_id = None
        referral_code = _clean(params.get("ref"), 64)
        source = _clean(params.get("utm_source")) or ("referral" if referral_code else "direct")
        return cls(source, _clean(params.get("utm_medium")), _clean(params.get("utm_campaign")),
                   post_id, referral_code)

    @property
    def is_direct(self) -> bool:
        return self == TrackedSource()

    def query(self) -> dict[str, str]:
        """The parameters that carry this source on to another link."""
        # utm_source is left out only where from_params would derive the same source.
        implied = "referral" if self.referral_code else "direct"
        params = {"utm_source": None if self.source == implied else self.source,
                  "utm_medium": self.medium, "utm_campaign": self.campaign,
                  "post": str(self.post_id) if self.post_id else None, "ref": self.referral_code}
        return {key: value for key, value in params.items() if value}

    def label(self) -> str:
        parts = [self.source] + [p for p in (self.medium, self.campaign) if p]
        return " / ".join(parts)


def job_link(base_url: str, job_id: UUID, source: TrackedSource | None = None,
             visit_id: UUID | None = None) -> str:
    """The public address of a job, keeping the tracked-link parameters (and the id of a visit
    a short link has already counted)."""
    query = {"id": str(job_id), **(source.query() if source else {}),
             **({"visit": str(visit_id)} if visit_id else {})}
    return f"{base_url.rstrip('/')}/job?{urlencode(query)}"


def public_job_link(job_id: UUID, source: TrackedSource | None = None) -> str:
    """The job's link as people share it: at the portal's public address (portal/public_address.py)."""
    return job_link(public_url(), job_id, source)


def counted_visit(value: object) -> UUID | None:
    """The id of a visit a short link counted, from the job page's `visit` parameter."""
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


def record_visit(actor: Actor, job_id: UUID, session_id: UUID, source: TrackedSource) -> bool:
    """Count a visit to a published job's page; True when this session had not been counted."""
    with transaction(actor) as conn:
        return bool(conn.execute(sa.text(
            "select private.record_visit(:job, :session, :source, :medium, :campaign, :post)"),
            {"job": job_id, "session": session_id, "source": source.source,
             "medium": source.medium, "campaign": source.campaign,
             "post": source.post_id}).scalar_one())


# --- short links -----------------------------------------------------------------------------

SHORT_CODE = re.compile(r"[A-Za-z0-9]{7}")


def short_address(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}{SHORT_LINK_PATH}/{code}"


def short_link_codes(conn: Connection, job_ids: Iterable[UUID], source: TrackedSource) -> dict[UUID, str]:
    """Each job's short code for `source`, made on first use (staff for any job and link;
    alumni for published jobs, with their own referral code)."""
    rows = conn.execute(sa.text(
        "select j.id, private.short_link_code(j.id, :source, :medium, :campaign, :post, :ref)"
        " from unnest(cast(:jobs as uuid[])) as j(id)"),
        {"jobs": list(job_ids), "source": source.source, "medium": source.medium,
         "campaign": source.campaign, "post": source.post_id, "ref": source.referral_code}).all()
    return dict(rows)


def short_link(actor: Actor, base_url: str, job_id: UUID, source: TrackedSource) -> str:
    """The short address of a tracked link to a published job."""
    with translate_refusals(denied="Only staff, or alumni for their own referral links, make short links."), \
            transaction(actor) as conn:
        code = short_link_codes(conn, [job_id], source)[job_id]
    return short_address(base_url, code)


def is_bot(user_agent: str) -> bool:
    """A crawler or a link-preview fetcher (LinkedIn, X, Slack, Teams, WhatsApp…), by its user
    agent; a request that names no agent is not a person's browser either."""
    return not user_agent.strip() or CrawlerDetect().isCrawler(user_agent)


@dataclass(frozen=True)
class Destination:
    job_id: UUID
    source: TrackedSource


def follow_short_link(code: str, visit_id: UUID, *, bot: bool) -> Destination | None:
    """Where a short link leads, counting the visit (a bot's apart); None for an unknown code."""
    if not SHORT_CODE.fullmatch(code):
        return None
    with transaction(Actor.visitor()) as conn:
        row = conn.execute(sa.text("select * from private.follow_short_link(:code, :visit, :bot)"),
                           {"code": code, "visit": visit_id, "bot": bot}).first()
    if row is None:
        return None
    return Destination(row.job_id, TrackedSource(row.source, row.utm_medium, row.utm_campaign,
                                                 row.post_id, row.referral_code))
