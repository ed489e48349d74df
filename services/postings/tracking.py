"""Tracked links: which post, campaign or referral brought a visitor to a job.

A job link carries `utm_source`, `utm_medium`, `utm_campaign` and the social post's id
(`post`), or an alumnus's referral code (`ref`). The job page records one visit per
browser session with them, and an application made in that session carries them, so
visits, applications and hires are credited to what brought them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

import sqlalchemy as sa

from portal.db import transaction
from portal.models import Actor

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


def job_link(base_url: str, job_id: UUID, source: TrackedSource | None = None) -> str:
    """The public address of a job, keeping the tracked-link parameters."""
    query = {"id": str(job_id), **(source.query() if source else {})}
    return f"{base_url.rstrip('/')}/job?{urlencode(query)}"


def record_visit(actor: Actor, job_id: UUID, session_id: UUID, source: TrackedSource) -> bool:
    """Count a visit to a published job's page; True when this session had not been counted."""
    with transaction(actor) as conn:
        return bool(conn.execute(sa.text(
            "select private.record_visit(:job, :session, :source, :medium, :campaign, :post)"),
            {"job": job_id, "session": session_id, "source": source.source,
             "medium": source.medium, "campaign": source.campaign,
             "post": source.post_id}).scalar_one())
