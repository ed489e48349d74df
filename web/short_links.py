"""Short tracked links, /r/<code>: count the visit on the server (a crawler or a link preview
apart, never as a visit), then lead to the job's page with the link's tracking."""

from __future__ import annotations

from uuid import uuid4

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from portal.db import DatabaseUnavailable
from services.postings import tracking
from web.career_pages import SECURITY_HEADERS

# A redirect that counts must reach the server each time: no cache may answer for it.
_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}


async def follow(request: Request) -> Response:
    visit_id = uuid4()
    bot = request.method == "HEAD" or tracking.is_bot(request.headers.get("user-agent", ""))
    try:
        destination = await run_in_threadpool(tracking.follow_short_link, request.path_params["code"],
                                              visit_id, bot=bot)
    except DatabaseUnavailable:
        return PlainTextResponse("This link works again in a moment. Please try again shortly.",
                                 status_code=503, headers={**_HEADERS, "Retry-After": "30"})
    if destination is None:
        return PlainTextResponse("This link is not known. It may have been mistyped or cut short.",
                                 status_code=404, headers=_HEADERS)
    return RedirectResponse(tracking.job_link("", destination.job_id, destination.source,
                                              None if bot else visit_id),
                            status_code=302, headers=_HEADERS)

