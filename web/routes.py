"""Every address the web layer answers beside the Streamlit pages, and the module and function
that answer it. A handler's module is imported on its route's first request, not when the
server starts: the server then answers Streamlit's health check before SQLAlchemy, psycopg,
Jinja, Pillow or httpx are loaded (cold start, issue 15)."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.addresses import (
    CAREERS_PATH,
    HEALTH_PATH,
    JOB_CARD_FILE,
    OAUTH_CALLBACK_PATH,
    OAUTH_CONNECT_PATH,
    SESSION_ROUTE,
    SHORT_LINK_PATH,
    SIGN_OUT_ROUTE,
)

Handler = Callable[[Request], Awaitable[Response]]


def imported_on_first_request(target: str) -> Handler:
    """The handler named "module:function", imported when first asked for (in a worker thread,
    so that the import does not hold up the server's other requests)."""
    module_name, name = target.split(":")
    found: list[Handler] = []

    async def handle(request: Request) -> Response:
        if not found:
            module = await run_in_threadpool(importlib.import_module, module_name)
            found.append(getattr(module, name))
        return await found[0](request)

    handle.__name__ = handle.__qualname__ = name
    return handle


GET_AND_HEAD = ["GET", "HEAD"]
# (address, "module:function" that answers it, methods: None for GET)
HANDLERS: list[tuple[str, str, list[str] | None]] = [
    (SESSION_ROUTE, "web.session_cookie:start_session", None),
    (SIGN_OUT_ROUTE, "web.session_cookie:end_session", None),
    (HEALTH_PATH, "web.health:health", None),
    (CAREERS_PATH, "web.career_pages:board", None),
    (f"{CAREERS_PATH}/site.css", "web.career_pages:stylesheet", None),
    (f"{CAREERS_PATH}/feed.rss", "web.career_pages:rss_feed", None),
    (f"{CAREERS_PATH}/feed.xml", "web.career_pages:aggregator_feed", None),
    (f"{CAREERS_PATH}/{{address}}", "web.career_pages:job_page", None),
    (f"{CAREERS_PATH}/{{address}}/{JOB_CARD_FILE}", "web.career_pages:job_card", None),
    ("/sitemap.xml", "web.career_pages:sitemap", None),
    ("/robots.txt", "web.career_pages:robots", None),
    (f"{SHORT_LINK_PATH}/{{code}}", "web.short_links:follow", GET_AND_HEAD),
    (OAUTH_CONNECT_PATH, "web.social_connections:connect", None),
    (OAUTH_CALLBACK_PATH, "web.social_connections:callback", None),
]
ROUTES = [Route(path, imported_on_first_request(target), methods=methods)
          for path, target, methods in HANDLERS]
