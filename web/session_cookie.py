"""The routes that set and clear the session cookie."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.people import sessions

# Streamlit's cookie (or cookies, in chunks) for an identity from st.login.
_SINGLE_SIGN_ON_COOKIE = "_streamlit_user"
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _from_another_site(request: Request) -> bool:
    """A navigation another site started (browsers say so in Sec-Fetch-Site): it may not
    sign anyone in or out of this one."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("cross-site", "same-site")


async def start_session(request: Request) -> Response:
    """Exchange a sign-in's one-time code for the session cookie, then go on to `next`."""
    token = None
    if not _from_another_site(request):
        token = await run_in_threadpool(sessions.open_session, request.query_params.get("code", ""),
                                        request.headers.get("user-agent", ""))
    target = sessions.local_path(request.query_params.get("next")) if token else "/sign-in"
    response = RedirectResponse(target, status_code=303, headers=_NO_STORE)
    if token:
        response.set_cookie(sessions.COOKIE, token, max_age=sessions.ABSOLUTE_DAYS * 86400,
                            path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


async def end_session(request: Request) -> Response:
    """Sign this browser out: its session ends and its cookie goes."""
    if not _from_another_site(request):
        await run_in_threadpool(sessions.end, request.cookies.get(sessions.COOKIE))
    # Signed in through the company's identity provider: Streamlit's logout forgets that
    # identity too (and ends it at the provider where it can), or the next visit would sign
    # the same person in again.
    single_sign_on = any(name.startswith(_SINGLE_SIGN_ON_COOKIE) for name in request.cookies)
    then = "/auth/logout" if single_sign_on else "/"
    response = RedirectResponse(then, status_code=303, headers=_NO_STORE)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax")
    return response
