"""The published jobs as files that machines pull: a sitemap for search engines, an RSS feed for
readers, and an XML feed in the shape job aggregators take (one <job> per posting, as Indeed's
and OpenCATS' feeds have it). Each lists exactly the jobs of the public board."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime

from portal import shared
from portal.addresses import CAREERS_PATH
from portal.html import markdown_html
from services.postings.career_site import PublicJob, every_open_job_in, open_job_addresses_in
from services.postings.company import Company
from services.postings.listings import EMPLOYMENT_LABELS, REMOTE_LABELS

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


# Each file is the same for every visitor: made once and served from memory until a job or
# the company changes (portal.shared).

def sitemap_file(base_url: str) -> bytes:
    return shared.visitors_view(("sitemap", base_url),
                                lambda conn: sitemap(base_url, open_job_addresses_in(conn)))


def rss_file(base_url: str) -> bytes:
    return shared.visitors_view(("rss", base_url),
                                lambda conn: rss(base_url, *every_open_job_in(conn)))


def aggregator_file(base_url: str) -> bytes:
    return shared.visitors_view(("aggregator feed", base_url),
                                lambda conn: aggregator_feed(base_url, *every_open_job_in(conn)))


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _child(parent: ET.Element, tag: str, text: object = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = str(text)
    return element


def _newest(jobs: list[PublicJob]) -> datetime:
    return max((j.updated_at for j in jobs), default=datetime(2000, 1, 1, tzinfo=UTC))


def sitemap(base_url: str, addresses: list[tuple[str, datetime]]) -> bytes:
    """sitemaps.org: the board, then every open job (its path) with the day it last changed."""
    root = ET.Element("urlset", xmlns=_SITEMAP_NS)
    board = _child(root, "url")
    _child(board, "loc", base_url + CAREERS_PATH)
    newest = max((changed for _, changed in addresses), default=datetime(2000, 1, 1, tzinfo=UTC))
    _child(board, "lastmod", newest.date().isoformat())
    for path, changed in addresses:
        entry = _child(root, "url")
        _child(entry, "loc", base_url + path)
        _child(entry, "lastmod", changed.date().isoformat())
    return _xml(root)


def _company_name(company: Company | None) -> str:
    return company.name if company else "Careers"


def rss(base_url: str, jobs: list[PublicJob], company: Company | None) -> bytes:
    """RSS 2.0: one item per open job, newest first."""
    root = ET.Element("rss", version="2.0")
    channel = _child(root, "channel")
    _child(channel, "title", f"{_company_name(company)} — open jobs")
    _child(channel, "link", base_url + CAREERS_PATH)
    _child(channel, "description", company.tagline if company and company.tagline
           else f"Jobs open at {_company_name(company)}")
    _child(channel, "lastBuildDate", format_datetime(_newest(jobs)))
    for public in jobs:
        job, url = public.job, base_url + public.path
        item = _child(channel, "item")
        _child(item, "title", job.title)
        _child(item, "link", url)
        _child(item, "guid", url, isPermaLink="true")
        _child(item, "category", job.department)
        if job.published_at:
            _child(item, "pubDate", format_datetime(job.published_at))
        _child(item, "description", markdown_html(job.description))
    return _xml(root)


def aggregator_feed(base_url: str, jobs: list[PublicJob], company: Company | None) -> bytes:
    """The XML that job aggregators pull: <source> with one <job> per open posting."""
    root = ET.Element("source")
    _child(root, "publisher", _company_name(company))
    _child(root, "publisherurl", company.website if company and company.website else base_url + CAREERS_PATH)
    _child(root, "lastBuildDate", format_datetime(_newest(jobs)))
    for public in jobs:
        job = public.job
        entry = _child(root, "job")
        _child(entry, "title", job.title)
        _child(entry, "date", format_datetime(job.published_at) if job.published_at else "")
        _child(entry, "referencenumber", job.id)
        _child(entry, "url", base_url + public.path)
        _child(entry, "company", _company_name(company))
        _child(entry, "city", job.location)
        _child(entry, "category", job.department)
        _child(entry, "remotetype", REMOTE_LABELS.get(job.remote_policy, job.remote_policy))
        _child(entry, "jobtype", EMPLOYMENT_LABELS.get(job.employment_type, job.employment_type))
        _child(entry, "salary", job.salary_range)
        _child(entry, "description", markdown_html(job.description))
    return _xml(root)
