"""Connecting a company page through the network's OAuth 2: /oauth/<network>/connect sends
the admin to the network's consent screen, /oauth/<network>/callback takes the answer
(services/social/connections.py does the work). Both know the admin by the session cookie,
so a connection finishes only in the browser of the admin who began it."""

from __future__ import annotations

from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from portal.db import DatabaseUnavailable
from portal.errors import NotFound, PermissionDenied, UserFacingError
from services.people import sessions
from services.social import connections
from web.career_pages import HERE, SECURITY_HEADERS

_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def _refused(message: str, status: int = 400) -> Response:
    page = _templates.get_template("connection.html").render(
        message=message, back=connections.CHANNELS_PAGE)
    return HTMLResponse(page, status_code=status, headers=_HEADERS)


def _signed_in(request: Request):
    return sessions.resume(request.cookies.get(sessions.COOKIE))


async def connect(request: Request) -> Response:
    """The Connect button's address: on to the network's consent screen, with a fresh state."""
    if request.headers.get("sec-fetch-site", "same-origin") in ("cross-site", "same-site"):
        return _refused("A connection is begun from Admin → Social channels, not from another site.", 403)
    network = request.path_params["network"]
    if not connections.connectable(network):
        return _refused("There is no such network to connect.", 404)
    try:
        channel_id = UUID(request.query_params.get("channel", ""))
    except ValueError:
        return _refused("Choose the channel to connect on Admin → Social channels.", 400)

    def begin() -> str:
        return connections.begin(_signed_in(request), channel_id, network)

    try:
        target = await run_in_threadpool(begin)
    except PermissionDenied as error:
        return _refused(str(error), 403)
    except UserFacingError as error:
        return _refused(str(error), 404 if isinstance(error, NotFound) else 400)
    except DatabaseUnavailable:
        return _refused("The portal's database is not answering; try again in a moment.", 503)
    return RedirectResponse(target, status_code=302, headers=_HEADERS)


async def callback(request: Request) -> Response:
    """Where the network sends the admin back: finish the connection, then back to the page."""
    query = request.query_params

    def finish() -> UUID:
        return connections.finish(_signed_in(request), request.path_params["network"],
                                  query.get("state", ""), query.get("code", ""), query.get("error"))

    try:
        channel_id = await run_in_threadpool(finish)
    except UserFacingError as error:
        return _refused(str(error), 404 if isinstance(error, NotFound) else 400)
    except DatabaseUnavailable:
        return _refused("The portal's database is not answering; start again in a moment.", 503)
    return RedirectResponse(f"{connections.CHANNELS_PAGE}?connected={channel_id}", status_code=303,
                            headers=_HEADERS)
