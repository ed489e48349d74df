"""Link previews for the portal's own job page. Streamlit answers every page address with the
same HTML shell (<title>Streamlit</title>), and link previewers (LinkedIn, X, Slack, Teams) read
only that HTML: so a shared `/job?id=…` link would preview as "Streamlit". For a job a visitor
may see, this middleware puts the job's title, summary, Open Graph tags and a canonical link to
its career-site page into the shell's <head>.

The services are imported on the first request for a job's page, not with the middleware:
the server starts without them (web/routes.py says why)."""

from __future__ import annotations

from urllib.parse import parse_qs
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JOB_PAGE = "/job"
_STREAMLIT_TITLE = b"<title>Streamlit</title>"


def _job_id(scope: Scope) -> UUID | None:
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].rstrip("/") != JOB_PAGE:
        return None
    ids = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("id", [])
    try:
        return UUID(ids[0]) if ids else None
    except ValueError:
        return None


def _tags_of(job_id: UUID) -> str | None:
    """The <head> tags of the job's page, or None for a job a visitor may not see."""
    from portal.db import DatabaseUnavailable
    from services.postings import career_site
    from web.career_pages import preview_tags

    try:
        job, company = career_site.job_and_company(job_id)
    except DatabaseUnavailable:
        return None
    return None if job is None else preview_tags(job, company)


def with_tags(shell: bytes, tags: str) -> bytes:
    """The shell with the tags in place of Streamlit's title (or at the end of its head)."""
    if _STREAMLIT_TITLE in shell:
        return shell.replace(_STREAMLIT_TITLE, tags.encode(), 1)
    return shell.replace(b"</head>", tags.encode() + b"</head>", 1)


class LinkPreviews:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        job_id = _job_id(scope)
        if job_id is None:
            return await self.app(scope, receive, send)
        tags = await run_in_threadpool(_tags_of, job_id)
        if tags is None:
            return await self.app(scope, receive, send)
        # Ask for the shell uncompressed, so that the tags can go in.
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
        start: Message = {}
        body: list[bytes] = []

        async def send_with_tags(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                return await send(message)
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            content = b"".join(body)
            headers = MutableHeaders(scope=start)
            if start["status"] == 200 and headers.get("content-type", "").startswith("text/html"):
                content = with_tags(content, tags)
                headers["content-length"] = str(len(content))
            await send(start)
            await send({"type": "http.response.body", "body": content})

        await self.app(scope, receive, send_with_tags)
