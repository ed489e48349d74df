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


def _route(path: str, target: str, methods: list[str] | None = None) -> Route:
    return Route(path, imported_on_first_request(target), methods=methods)


ROUTES = [
    _route(SESSION_ROUTE, "web.session_cookie:start_session"),
    _route(SIGN_OUT_ROUTE, "web.session_cookie:end_session"),
    _route(HEALTH_PATH, "web.session_cookie:health"),
    _route(CAREERS_PATH, "web.career_pages:board"),
    _route(f"{CAREERS_PATH}/site.css", "web.career_pages:stylesheet"),
    _route(f"{CAREERS_PATH}/feed.rss", "web.career_pages:rss_feed"),
    _route(f"{CAREERS_PATH}/feed.xml", "web.career_pages:aggregator_feed"),
    _route(f"{CAREERS_PATH}/{{address}}", "web.career_pages:job_page"),
    _route(f"{CAREERS_PATH}/{{address}}/{JOB_CARD_FILE}", "web.career_pages:job_card"),
    _route("/sitemap.xml", "web.career_pages:sitemap"),
    _route("/robots.txt", "web.career_pages:robots"),
    _route(f"{SHORT_LINK_PATH}/{{code}}", "web.short_links:follow", methods=["GET", "HEAD"]),
    _route(OAUTH_CONNECT_PATH, "web.social_connections:connect"),
    _route(OAUTH_CALLBACK_PATH, "web.social_connections:callback"),
]
