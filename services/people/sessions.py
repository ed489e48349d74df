"""Sign-in sessions that outlast a browser tab.

After a sign-in succeeds on a page, `hand_off` gives the browser a one-time code; the web
layer's /auth/session route exchanges it (`open_session`) for a session whose token goes
into an HttpOnly cookie. Every new page load resumes the session from that cookie
(`resume`), and every rerun checks it still stands (`still_open`), so signing out
elsewhere, or an admin deactivating the account, ends it at the next click.

A session ends after IDLE_DAYS without use, and after ABSOLUTE_DAYS whatever the use.
Only tokens' hashes are stored (portal.tokens); the tables are private to the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import sqlalchemy as sa

from portal.addresses import SESSION_ROUTE
from portal.db import owner_transaction
from portal.models import Actor, Role
from portal.tokens import new_token, plausible_token, token_hash
from services.people import sign_in
from services.people.sign_in import actor_for

COOKIE = "boomerang_session"
IDLE_DAYS = 14
ABSOLUTE_DAYS = 30
HANDOFF_SECONDS = 60
MAX_DEVICE_LENGTH = 300


@dataclass(frozen=True)
class Device:
    """A browser signed in to an account, as "Signed-in devices" lists it."""

    id: str  # a short, stable reference that is not the token (first bytes of its hash)
    device: str
    signed_in_at: datetime
    last_seen_at: datetime
    this_browser: bool


def hand_off(actor: Actor) -> str:
    """A one-time code, valid HANDOFF_SECONDS, that /auth/session turns into a session."""
    code = new_token()
    with owner_transaction() as conn:
        conn.execute(sa.text("delete from private.sign_in_handoffs where expires_at < now()"))
        conn.execute(sa.text(
            "insert into private.sign_in_handoffs (code_hash, user_id, expires_at)"
            " values (:hash, :user, now() + make_interval(secs => :valid))"),
            {"hash": token_hash(code), "user": actor.user_id, "valid": HANDOFF_SECONDS})
    return code


def hand_off_url(actor: Actor, next_path: str) -> str:
    """Where to send the browser after `actor` signed in on a page: the route that sets the
    session cookie, then on to `next_path`."""
    return f"{SESSION_ROUTE}?{urlencode({'code': hand_off(actor), 'next': local_path(next_path)})}"


def local_path(path: str | None) -> str:
    """`path` if it is a path on this site, else "/": a `next` never leads elsewhere."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def open_session(code: str, device: str = "") -> str | None:
    """The new session's token for a valid, unused hand-off code; None otherwise."""
    if not plausible_token(code):
        return None
    token = new_token()
    with owner_transaction() as conn:
        user_id = conn.execute(sa.text(
            "delete from private.sign_in_handoffs where code_hash = :hash and expires_at >= now()"
            " returning user_id"), {"hash": token_hash(code)}).scalar()
        if user_id is None:
            return None
        conn.execute(sa.text(
            "insert into private.sign_in_sessions (token_hash, user_id, expires_at, device)"
            " values (:hash, :user, now() + make_interval(days => :days), :device)"),
            {"hash": token_hash(token), "user": user_id, "days": ABSOLUTE_DAYS,
             "device": device[:MAX_DEVICE_LENGTH]})
    return token


def resume(token: str | None) -> Actor | None:
    """Who the session named by `token` signs in, as their profile makes them now; None
    for no, an expired or an ended session, or a deactivated account."""
    if not plausible_token(token):
        return None
    with owner_transaction() as conn:
        row = conn.execute(sa.text(
            f"update private.sign_in_sessions s set last_seen_at = now() from auth.users u"  # noqa: S608
            f" where s.token_hash = :hash and u.id = s.user_id and {_OPEN}"
            " returning s.user_id, u.email"), _params(token)).first()
        return actor_for(conn, row.user_id, row.email) if row else None


def still_open(token: str | None, actor: Actor) -> bool:
    """Whether the session `token` names is still `actor`'s and open (checked each rerun)."""
    if not plausible_token(token):
        return False
    with owner_transaction() as conn:
        return conn.execute(sa.text(
            f"select exists (select 1 from private.sign_in_sessions s where s.token_hash = :hash"  # noqa: S608
            f" and s.user_id = :user and {_OPEN})"), _params(token) | {"user": actor.user_id}).scalar_one()


def current(actor: Actor, token: str | None) -> tuple[Actor | None, bool]:
    """What every rerun of a signed-in browser session checks, in one round trip: the actor
    as their profile makes them now (a role or name change applies at this click; None once
    the account is deactivated or gone), and whether the cookie session `token` names (when
    they were signed in by one) is still theirs and open."""
    if token is not None and not plausible_token(token):
        return sign_in.refresh(actor), False
    with owner_transaction() as conn:
        row = conn.execute(sa.text(
            "select p.role, p.full_name, p.active,"  # noqa: S608
            " (cast(:hash as bytea) is null or exists (select 1 from private.sign_in_sessions s"
            f"   where s.token_hash = :hash and s.user_id = p.id and {_OPEN})) as session_open"
            " from public.profiles p where p.id = :user"),
            {"hash": token_hash(token) if token else None, "idle": IDLE_DAYS, "user": actor.user_id}).first()
    if row is None:
        return None, False
    fresh = Actor(user_id=actor.user_id, email=actor.email, role=Role(row.role),
                  full_name=row.full_name) if row.active else None
    return fresh, row.session_open


def end(token: str | None) -> None:
    """Sign this browser out: its session ends (in every tab at their next click)."""
    if plausible_token(token):
        with owner_transaction() as conn:
            conn.execute(sa.text("delete from private.sign_in_sessions where token_hash = :hash"),
                         {"hash": token_hash(token)})


def end_all(actor: Actor) -> int:
    """Sign the actor out everywhere; how many sessions ended."""
    with owner_transaction() as conn:
        return conn.execute(sa.text("delete from private.sign_in_sessions where user_id = :user"),
                            {"user": actor.user_id}).rowcount


def devices(actor: Actor, token: str | None) -> list[Device]:
    """The actor's open sessions, the latest used first."""
    this = token_hash(token) if plausible_token(token) else b""
    with owner_transaction() as conn:
        rows = conn.execute(sa.text(
            f"select s.token_hash, s.device, s.created_at, s.last_seen_at from private.sign_in_sessions s"  # noqa: S608
            f" where s.user_id = :user and {_OPEN} order by s.last_seen_at desc"),
            {"user": actor.user_id, "idle": IDLE_DAYS}).all()
    return [Device(row.token_hash[:6].hex(), row.device or "Unknown browser", row.created_at,
                   row.last_seen_at, row.token_hash == this) for row in rows]


_OPEN = "s.expires_at > now() and s.last_seen_at > now() - make_interval(days => :idle)"


def _params(token: str) -> dict:
    return {"hash": token_hash(token), "idle": IDLE_DAYS}
