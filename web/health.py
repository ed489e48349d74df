"""/healthz: for load balancers and uptime checks."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal import task_queue
from portal.db import DatabaseUnavailable

_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def health(_request: Request) -> Response:
    """200 when the database answers (for load balancers and uptime checks), else 503; the
    text says too whether any worker is alive. Workers run apart from the app, so a missing
    one does not take the app out of a load balancer: the operator's uptime check reads it."""
    try:
        workers = await run_in_threadpool(task_queue.workers)
    except DatabaseUnavailable:
        return PlainTextResponse("database unavailable", status_code=503, headers=_NO_STORE)
    return PlainTextResponse(f"ok\n{workers.describe()}\n", headers=_NO_STORE)
