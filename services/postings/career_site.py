"""The career site as the open web reads it: published jobs at stable, readable addresses,
described for search engines (schema.org JobPosting) and for job aggregators (feeds).

Everything here is read as a visitor, so row-level security and the visitors' column
privileges decide what may be shown, exactly as on the public board."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import shared
from portal.addresses import CAREERS_PATH
from portal.models import Actor, Page
from services.postings.company import Company, load_profile
from services.postings.listings import ORDER, Job, job_columns, load_job

PAGE_SIZE = 50
# A sitemap file holds at most 50,000 addresses (sitemaps.org); feeds carry the same list.
MOST_IN_ONE_LIST = 50_000

_UUID_AT_END = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")

# schema.org employmentType for each of ours (Google for Jobs reads these words).
SCHEMA_EMPLOYMENT = {"full_time": "FULL_TIME", "part_time": "PART_TIME", "contract": "CONTRACTOR",
                     "internship": "INTERN", "temporary": "TEMPORARY"}


@dataclass(frozen=True)
class PublicJob:
    """A job as the career site shows it, with the moment it last changed (for sitemaps)."""
    job: Job
    updated_at: datetime

    @property
    def path(self) -> str:
        return job_path(self.job)


def slug(title: str) -> str:
    """A readable, ASCII piece of an address from a job's title: "Senior Data Engineer (m/f/d)"
    → "senior-data-engineer-m-f-d"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80]


def job_path(job: Job) -> str:
    """The job's address on the career site: its title for people, its id for the portal (so a
    renamed job's old address still finds it, and is sent on to the new one)."""
    return address(job.title, job.id)


def address(title: str, job_id: UUID) -> str:
    words = slug(title)
    return f"{CAREERS_PATH}/{words + '-' if words else ''}{job_id}"


def job_id_in(path_part: str) -> UUID | None:
    """The id at the end of a career-site address, or None when there is none."""
    found = _UUID_AT_END.search(path_part.lower())
    return UUID(found.group(1)) if found else None


# Everything here is the same for every visitor: computed as one (role anon) and shared by
# every request of this process until public data changes (portal.shared).
_VISITOR = Actor.visitor()


def job_and_company(job_id: UUID) -> tuple[Job | None, Company | None]:
    """One job a visitor may see (published or closed) and the company that offers it."""
    return shared.visitors_view(
        ("career job", job_id),
        lambda conn: (load_job(conn, job_id, job_columns(_VISITOR)), load_profile(conn)))


def open_jobs(*, page: int = 1, page_size: int = PAGE_SIZE) -> tuple[Page[Job], Company | None]:
    """One page of the published jobs, newest first, and the company."""
    def compute(conn: Connection) -> tuple[Page[Job], Company | None]:
        total = conn.execute(sa.text(
            "select count(*) from public.jobs where status = 'published'")).scalar_one()
        rows = conn.execute(sa.text(
            f"select {job_columns(_VISITOR)} from public.jobs where status = 'published' {ORDER}"  # noqa: S608
            " limit :limit offset :offset"),
            {"limit": page_size, "offset": Page.offset(page, page_size)}).all()
        return Page([Job(**row._mapping) for row in rows], total, page, page_size), load_profile(conn)

    return shared.visitors_view(("career board", page, page_size), compute)


def every_open_job() -> tuple[list[PublicJob], Company | None]:
    """All published jobs (up to what one sitemap or feed may hold), newest first."""
    return shared.visitors_view("every open job", every_open_job_in)


def every_open_job_in(conn: Connection) -> tuple[list[PublicJob], Company | None]:
    rows = conn.execute(sa.text(
        f"select {job_columns(_VISITOR)}, updated_at from public.jobs"  # noqa: S608
        f" where status = 'published' {ORDER} limit :most"), {"most": MOST_IN_ONE_LIST}).all()
    jobs = []
    for row in rows:
        fields = dict(row._mapping)
        updated_at = fields.pop("updated_at")
        jobs.append(PublicJob(Job(**fields), updated_at))
    return jobs, load_profile(conn)


def open_job_addresses_in(conn: Connection) -> list[tuple[str, datetime]]:
    """Each published job's career-site path and when it last changed, newest first: what a
    sitemap needs, without the descriptions."""
    rows = conn.execute(sa.text(
        f"select id, title, updated_at from public.jobs where status = 'published' {ORDER}"  # noqa: S608
        " limit :most"), {"most": MOST_IN_ONE_LIST}).all()
    return [(address(row.title, row.id), row.updated_at) for row in rows]


def job_posting_data(job: Job, company: Company | None, url: str, description_html: str) -> dict:
    """schema.org JobPosting for an open job, with the fields Google for Jobs requires (title,
    description, datePosted, hiringOrganization, a location) and those it recommends that we
    know (employmentType, baseSalary when published, directApply, identifier)."""
    organisation = {"@type": "Organization", "name": company.name if company else ""}
    if company and company.website:
        organisation["sameAs"] = company.website
    data: dict = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": description_html,
        "identifier": {"@type": "PropertyValue", "name": organisation["name"], "value": str(job.id)},
        "datePosted": (job.published_at.date().isoformat() if job.published_at else None),
        "hiringOrganization": organisation,
        "directApply": True,
        "url": url,
    }
    if job.employment_type in SCHEMA_EMPLOYMENT:
        data["employmentType"] = SCHEMA_EMPLOYMENT[job.employment_type]
    place = {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": job.location}}
    if job.remote_policy == "remote":
        # Fully remote: Google asks where applicants may live; the location names it.
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": job.location}
    else:
        data["jobLocation"] = place
    if job.salary_min is not None or job.salary_max is not None:
        low, high = job.salary_min or job.salary_max, job.salary_max or job.salary_min
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": job.currency,
                              "value": {"@type": "QuantitativeValue", "minValue": float(low),
                                        "maxValue": float(high), "unitText": "YEAR"}}
    return {key: value for key, value in data.items() if value is not None}
