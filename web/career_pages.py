"""The career site as server-rendered HTML, readable without JavaScript by search engines, job
boards and link previews: the board at /careers, each job at /careers/<title>-<id> with its
schema.org JobPosting data, and the sitemap, robots.txt and feeds that point at them.

The Streamlit pages stay where people work (apply, ask, follow); these pages lead there."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response

from portal.addresses import CAREERS_PATH, JOB_CARD_FILE
from portal.db import DatabaseUnavailable
from portal.html import markdown_html, summary
from portal.public_address import public_url
from portal.words import counted
from services.postings import career_site, job_feeds
from services.postings.company import Company
from services.postings.listings import Job
from web import job_cards

HERE = Path(__file__).parent
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))

# What a careful web app sends with its own pages: nothing loads from elsewhere, nothing runs,
# no other site may frame them.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none';"
                                " form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# Search engines and aggregators may keep a copy for a few minutes; a closed job goes soon after.
_CACHED = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=300"}


def _base_url() -> str:
    return public_url()


def _page(template: str, status_code: int = 200, **values) -> HTMLResponse:
    html = _templates.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code, headers=_CACHED)


def _company_values(company: Company | None) -> dict:
    name = company.name if company else "Careers"
    return {"company_name": name, "tagline": company.tagline if company else ""}


def _structured_data(data: dict) -> Markup:
    # JSON inside <script>: no "<", ">" or "&" may close the element or open a comment.
    text = json.dumps(data, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S704


def _unavailable() -> Response:
    return PlainTextResponse("The career site is unavailable for a moment. Please try again shortly.",
                             status_code=503, headers={**SECURITY_HEADERS, "Retry-After": "30"})


async def board(request: Request) -> Response:
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    try:
        jobs, company = await run_in_threadpool(career_site.open_jobs, page=page)
    except DatabaseUnavailable:
        return _unavailable()
    values = _company_values(company)
    listed = [{"title": job.title, "path": career_site.job_path(job), "facts": " · ".join(job.facts)}
              for job in jobs.rows]
    return _page(
        "board.html", **values,
        title=f"Jobs at {values['company_name']}",
        summary=f"{counted(jobs.total, 'open job')} at {values['company_name']}. {values['tagline']}".strip(),
        canonical=_base_url() + CAREERS_PATH + (f"?page={page}" if page > 1 else ""),
        indexable=True, jobs=listed, count_text=f"{counted(jobs.total, 'open job')}.",
        previous_page=page - 1 if page > 1 else None,
        next_page=page + 1 if page < jobs.page_count else None)


async def job_page(request: Request) -> Response:
    job_id = career_site.job_id_in(request.path_params["address"])
    if job_id is None:
        return _missing()
    try:
        job, company = await run_in_threadpool(career_site.job_and_company, job_id)
    except DatabaseUnavailable:
        return _unavailable()
    if job is None:
        return _missing()
    if request.url.path != career_site.job_path(job):
        # A renamed job, or a shortened address: one address per job, for people and search engines.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(career_site.job_path(job) + query, status_code=301, headers=SECURITY_HEADERS)
    values = job_meta(job, company)
    description = markdown_html(job.description)
    # The application form is the portal's job page; tracking parameters go on with the visitor.
    apply_query = urlencode({"id": str(job.id), **{k: v for k, v in request.query_params.items()
                                                 if k.startswith("utm_") or k == "post"}})
    return _page(
        "job.html", **values,
        structured_data=(_structured_data(career_site.job_posting_data(job, company, values["canonical"],
                                                                       description))
                         if job.open else None),
        job_title=job.title, facts=" · ".join(job.facts), open=job.open,
        apply_url=f"/job?{apply_query}", description_html=Markup(description))  # noqa: S704 (made safe above)


def job_meta(job: Job, company: Company | None) -> dict:
    """What a job's page says about itself in its <head>: title, summary, canonical address and
    its share card (og:image)."""
    values = _company_values(company)
    canonical = _base_url() + career_site.job_path(job)
    return {**values, "summary": summary(job.description), "indexable": job.open,
            "canonical": canonical, "image": f"{canonical}/{JOB_CARD_FILE}",
            "image_alt": f"{job.title} at {values['company_name']}: {' · '.join(job.facts)}",
            "title": f"{job.title} — {values['company_name']}" if job.open else f"Closed: {job.title}"}


async def job_card(request: Request) -> Response:
    """The job's share card; for a renamed job's old address, the same card (previews cache
    images by address, and the old one may be in posts already)."""
    job_id = career_site.job_id_in(request.path_params["address"])
    if job_id is None:
        return _no_card()
    try:
        job, company = await run_in_threadpool(career_site.job_and_company, job_id)
    except DatabaseUnavailable:
        return _unavailable()
    if job is None:
        return _no_card()
    name = _company_values(company)["company_name"]
    site = f"Apply at {urlsplit(_base_url()).netloc}"
    facts = " · ".join(job.facts) if job.open else "This job is closed."
    png = await run_in_threadpool(job_cards.card_png, name, job.title, facts, site)
    return Response(png, media_type="image/png", headers=_CACHED)


def preview_tags(job: Job, company: Company | None) -> str:
    """The <head> tags of a job's page, for another page about the same job (link_previews)."""
    return _templates.get_template("meta.html").render(**job_meta(job, company))


def _no_card() -> Response:
    return PlainTextResponse("No such job.", status_code=404, headers=SECURITY_HEADERS)


def _missing() -> Response:
    return _page("missing.html", status_code=404, title="Job not found", summary="", canonical=None,
                 indexable=False, company_name="Careers", tagline="")


def _file(make: Callable[[str], bytes], media_type: str):
    """A route that serves one file about every open job (a sitemap, a feed)."""
    async def serve(_request: Request) -> Response:
        try:
            content = await run_in_threadpool(make, _base_url())
        except DatabaseUnavailable:
            return _unavailable()
        return Response(content, media_type=media_type, headers=_CACHED)
    return serve


async def robots(_request: Request) -> Response:
    # The career site is for indexing; the portal's own pages are an app, and its internals
    # (/_stcore, /auth) are of no use to a crawler.
    text = ("User-agent: *\nAllow: /careers\nDisallow: /_stcore/\nDisallow: /auth/\n"
            f"Sitemap: {_base_url()}/sitemap.xml\n")
    return PlainTextResponse(text, headers=_CACHED)


async def stylesheet(_request: Request) -> Response:
    return FileResponse(HERE / "static" / "careers.css", media_type="text/css", headers=_CACHED)


rss_feed = _file(job_feeds.rss_file, "application/rss+xml")
aggregator_feed = _file(job_feeds.aggregator_file, "application/xml")
sitemap = _file(job_feeds.sitemap_file, "application/xml")
