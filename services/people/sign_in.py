"""Signing in and out of accounts, with a back-off per address and per client.

The scheme is OWASP's (Authentication Cheat Sheet, "Login Throttling" and "Account
Lockout"): failures are counted per account and per client, and an account under attack
is not locked against its owner. Three counts, each a row of private.sign_in_failures:

- per address and client (`pair:`): after FREE_ATTEMPTS failures in a row that client
  waits before its next try for that address, FIRST_LOCK_SECONDS doubling up to
  MAX_LOCK_SECONDS;
- per client (`client:`): after CLIENT_FREE_ATTEMPTS failures across addresses the client
  waits the same way, whatever address it tries: one password sprayed over many addresses
  is slowed;
- per address (`email:`): after ACCOUNT_FREE_ATTEMPTS failures from all clients the
  address is under attack, and every client that failed on it within the window waits
  until the address's own wait is over. A client with no recent failure for the address
  still gets its try, so the owner's right password from their own client signs them in
  while guesses from elsewhere are refused.

The client is the address the server sees (`ui.client_address`: behind a proxy, from
X-Forwarded-For when the proxy is trusted). Without one (the server's own machine), the
attempts count as one client's, and there is no count per client.

Each attempt locks its address's and its client's rows while the credentials are checked,
so guesses sent in parallel cannot slip past the count: a second one in flight is turned
away at once instead of waiting.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlencode
from uuid import UUID

import sqlalchemy as sa

from portal import audit, auth, validation
from portal.db import on_supabase, owner_transaction, transaction
from portal.errors import UserFacingError, ValidationError
from portal.models import Actor, Role
from portal.public_address import public_url
from portal.settings import settings
from portal.words import counted

GENERIC_SIGN_IN_ERROR = "That email and password do not match an account."
GENERIC_CODE_SENT = "If an account has this address, a sign-in code is on its way."
IN_PROGRESS = "Another sign-in for this email or from your network is under way. Try again in a moment."
# After this many failures in a row a client waits before its next try for an address;
# each further failure doubles the wait, up to MAX_LOCK_SECONDS. Failures older than the
# window are forgotten, so a typo next week does not inherit last week's count.
FREE_ATTEMPTS = 3
# Failures from one client over all addresses, and for one address over all clients,
# before the client, or the clients that failed on the address, wait the same way.
CLIENT_FREE_ATTEMPTS = 10
ACCOUNT_FREE_ATTEMPTS = 10
FIRST_LOCK_SECONDS = 1
MAX_LOCK_SECONDS = 300
FAILURE_WINDOW_MINUTES = 15
LINK_VALID_MINUTES = 60


class SignInError(UserFacingError):
    """Sign-in refused; the message never tells whether the account exists."""


class WrongCredentials(SignInError):
    """The credentials were checked and did not match (the generic message)."""


def with_password(email: str, password: str, client: str | None = None) -> Actor:
    """`client`: the address the request came from (ui.client_address), for the back-off."""
    email = _address(email)
    return _attempt(email, client, lambda conn: _check_password(conn, email, password or ""))


# Single sign-on is for the company's own people: its identity provider knows staff and
# employees, not alumni (who have left) or candidates.
SINGLE_SIGN_ON_ROLES = (Role.ADMIN, Role.RECRUITER, Role.EMPLOYEE)


def with_single_sign_on(email: str | None, email_verified: object = None) -> Actor:
    """The company's identity provider (st.login) vouches for `email`: the active staff or
    employee account with that address is signed in. It never creates an account, and an
    address the provider says it has not verified signs nobody in (providers that do not
    say, as Microsoft Entra, are taken at their word)."""
    if email_verified is False:
        raise SignInError("Your company account's email address is not verified, so it cannot "
                          "sign you in here. Sign in with your password instead.")
    address = _address(email or "")
    with owner_transaction() as conn:
        user_id = conn.execute(sa.text("select id from auth.users where lower(email) = :email"),
                               {"email": address}).scalar()
        identity = auth.Identity(user_id, address) if user_id else None
        actor = _actor(conn, identity, address) if identity else None
        if actor is None or actor.role not in SINGLE_SIGN_ON_ROLES:
            raise SignInError(f"No active staff or employee account has the address {address}. "
                              "Ask an admin to add you, or sign in with your password.")
        audit.record(conn, "user.signed_in_with_sso", "user", str(actor.user_id))
    return actor


def send_code(email: str, client: str | None = None) -> None:
    """Supabase mode: email an existing account a one-time code and a magic link. The
    answer is the same whether or not the account exists; each send counts as an attempt
    for the back-off, so nobody floods an inbox."""
    email = _address(email)
    nonce = secrets.token_urlsafe(24)

    def send(conn: sa.Connection) -> None:
        redirect_to = f"{public_url()}/sign-in?{urlencode({'login': nonce})}"
        verifier = supabase_client().send_code(email, redirect_to)
        if verifier:
            conn.execute(sa.text(
                "insert into private.pending_sign_in_links (nonce, email, code_verifier)"
                " values (:nonce, :email, :verifier)"),
                {"nonce": nonce, "email": email, "verifier": verifier})

    _attempt(email, client, send, count_only=True)


def with_code(email: str, code: str, client: str | None = None) -> Actor:
    email = _address(email)
    return _attempt(email, client, lambda _conn: supabase_client().with_code(email, (code or "").strip()))


def with_link(nonce: str, auth_code: str, client: str | None = None) -> Actor:
    """The magic link came back (`/sign-in?login=<nonce>&code=<code>`)."""
    with owner_transaction() as conn:
        link = conn.execute(sa.text(
            "delete from private.pending_sign_in_links where nonce = :nonce"
            " and created_at > now() - make_interval(mins => :valid) returning email, code_verifier"),
            {"nonce": nonce, "valid": LINK_VALID_MINUTES}).first()
    if link is None:
        raise SignInError("This sign-in link has expired or was used already. Ask for a new one.")
    return _attempt(link.email, client,
                    lambda _conn: supabase_client().with_link(auth_code, link.code_verifier))


def supabase_client() -> auth.SupabaseSignIn:
    config = settings()
    if not config.supabase_auth:
        raise SignInError("Sign-in by email code needs SUPABASE_URL and SUPABASE_ANON_KEY.")
    return auth.SupabaseSignIn(config.supabase_url or "", config.supabase_anon_key or "")


def _address(email: str) -> str:
    try:
        return validation.email_address(email)
    except ValidationError:
        raise SignInError("Enter the email address of your account.") from None


def _attempt(email: str, client: str | None,
             check: Callable[[sa.Connection], auth.Identity | None], *,
             count_only: bool = False) -> Actor | None:
    """One attempt on one connection. The address's and the client's back-off rows are
    locked (NOWAIT) while `check` runs, so parallel guesses neither slip past the count nor
    queue up holding connections: a second attempt in flight is turned away at once."""
    # Counted per address typed, whether or not an account has it, so the back-off
    # does not tell which addresses have accounts.
    keys = _Keys(email, client)
    refusal: str | None = None
    with owner_transaction() as conn:
        conn.execute(sa.text("delete from private.pending_sign_in_links"
                             " where created_at < now() - make_interval(mins => :valid)"),
                     {"valid": LINK_VALID_MINUTES})
        _forget_old_failures(conn)
        conn.execute(sa.text("insert into private.sign_in_failures (key)"
                             " select unnest(cast(:keys as text[])) on conflict do nothing"),
                     {"keys": keys.all})
        try:
            with conn.begin_nested():
                rows = conn.execute(sa.text(
                    "select key, failures, ceil(extract(epoch from locked_until - now()))::int as wait,"
                    " last_failure_at > now() - make_interval(mins => :window) as recent"
                    " from private.sign_in_failures where key = any(cast(:keys as text[]))"
                    " order by key for update nowait"),
                    {"keys": keys.all, "window": FAILURE_WINDOW_MINUTES}).all()
        except sa.exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            rows, refusal = [], IN_PROGRESS
        if refusal is None:
            refusal = _refusal({row.key: row for row in rows}, keys)
        identity = actor = None
        if refusal is None:
            identity = check(conn)
            if identity is None:
                _count_failures(conn, keys)
            else:
                # Only this client's count for the address goes: the owner signing in says
                # nothing about guesses from elsewhere, nor about this client's other tries.
                conn.execute(sa.text("delete from private.sign_in_failures where key = :pair"),
                             {"pair": keys.pair})
                if not count_only:
                    actor = _actor(conn, identity, email)
    if refusal:
        raise SignInError(refusal)
    if count_only:
        return None
    if identity is None:
        raise WrongCredentials(GENERIC_SIGN_IN_ERROR)
    if actor is None:
        raise SignInError("This account is deactivated. Ask an admin of the portal to reactivate it.")
    return actor


class _Keys:
    """The back-off rows one attempt counts on (see the module's docstring)."""

    def __init__(self, email: str, client: str | None) -> None:
        self.pair = f"pair:{email} {client or ''}".rstrip()
        self.email = f"email:{email}"
        self.client = f"client:{client}" if client else None
        self.all = [key for key in (self.pair, self.email, self.client) if key]
        self.free = {self.pair: FREE_ATTEMPTS, self.email: ACCOUNT_FREE_ATTEMPTS}
        if self.client:
            self.free[self.client] = CLIENT_FREE_ATTEMPTS


def _refusal(rows: dict, keys: _Keys) -> str | None:
    """Why this attempt must wait, or None."""
    def wait(key: str | None) -> int:
        row = rows.get(key)
        return row.wait if row is not None and row.wait and row.wait > 0 else 0

    pair = rows.get(keys.pair)
    failed_here = pair is not None and pair.failures > 0 and pair.recent
    if seconds := max(wait(keys.pair), wait(keys.email) if failed_here else 0):
        return (f"Too many failed sign-ins for this email. Wait {counted(seconds, 'second')}, "
                "then try again.")
    if seconds := wait(keys.client):
        return (f"Too many failed sign-ins from your network. Wait {counted(seconds, 'second')}, "
                "then try again.")
    return None


def _forget_old_failures(conn: sa.Connection) -> None:
    """Rows whose window has passed and whose wait is over say nothing any more; they go,
    so client addresses are kept only while they matter."""
    conn.execute(sa.text(
        "delete from private.sign_in_failures"
        " where last_failure_at < now() - make_interval(mins => :window)"
        " and (locked_until is null or locked_until < now())"),
        {"window": FAILURE_WINDOW_MINUTES})


def _count_failures(conn: sa.Connection, keys: _Keys) -> None:
    """One more failure on each key; a key past its free attempts waits, doubling."""
    conn.execute(sa.text(
        """
        update private.sign_in_failures f
           set failures = n.failures,
               last_failure_at = now(),
               locked_until = case when n.failures >= n.free
                 then now() + make_interval(secs => least(:first * power(2, n.failures - n.free),
                                                          :max_lock))
               end
          from (select k.key, k.free,
                       case when s.last_failure_at < now() - make_interval(mins => :window)
                            then 1 else s.failures + 1 end as failures
                  from unnest(cast(:keys as text[]), cast(:frees as int[])) as k(key, free)
                  join private.sign_in_failures s on s.key = k.key) n
         where f.key = n.key
        """),
        {"keys": list(keys.free), "frees": list(keys.free.values()), "first": FIRST_LOCK_SECONDS,
         "max_lock": MAX_LOCK_SECONDS, "window": FAILURE_WINDOW_MINUTES})


def _check_password(conn: sa.Connection, email: str, password: str) -> auth.Identity | None:
    if settings().supabase_auth:
        return supabase_client().with_password(email, password)
    if on_supabase():
        raise SignInError("This database is Supabase's: set SUPABASE_URL and SUPABASE_ANON_KEY "
                          "so that sign-in goes through Supabase Auth.")
    user = conn.execute(
        sa.text("select id, email, encrypted_password from auth.users"
                " where lower(email) = :email and (banned_until is null or banned_until < now())"),
        {"email": email},
    ).first()
    if not auth.password_matches(password, user.encrypted_password if user else None):
        return None
    return auth.Identity(user_id=user.id, email=user.email)


def _actor(conn: sa.Connection, identity: auth.Identity, email: str) -> Actor | None:
    """The signed-in actor, or None when the account is deactivated."""
    conn.execute(sa.text("update auth.users set last_sign_in_at = now() where id = :id"),
                 {"id": identity.user_id})
    actor = actor_for(conn, identity.user_id, identity.email or email)
    if actor is not None and actor.role is Role.CANDIDATE:
        link_applications(conn, identity.user_id, identity.email or email)
    return actor


def link_applications(conn: sa.Connection, user_id: UUID, email: str) -> None:
    """The applications made with a candidate account's email, before the account too, are
    theirs on My applications: the account's email is proven (confirmed at sign-up, or
    vouched for by an admin)."""
    conn.execute(sa.text("update public.candidates set user_id = :user"
                         " where lower(email) = lower(:email) and user_id is null"),
                 {"user": user_id, "email": email})


def refresh(actor: Actor) -> Actor | None:
    """The actor as the database sees them now: a role change applies at the next click,
    and a deactivated user is signed out (None)."""
    if not actor.signed_in:
        return actor
    with transaction(actor) as conn:
        return actor_for(conn, actor.user_id, actor.email)


def actor_for(conn: sa.Connection, user_id: UUID, email: str | None) -> Actor | None:
    """The actor their profile makes them, or None when it is gone or deactivated."""
    profile = conn.execute(
        sa.text("select role, full_name, active from public.profiles where id = :id"),
        {"id": user_id},
    ).first()
    if profile is None or not profile.active:
        return None
    return Actor(user_id=user_id, email=email, role=Role(profile.role),
                 full_name=profile.full_name)


def change_password(actor: Actor, current: str, new: str, client: str | None = None) -> None:
    if settings().supabase_auth:
        raise ValidationError("Passwords are managed by Supabase Auth: sign in with an emailed "
                              "link or code instead.")
    new = validation.new_password(new)
    try:  # the current password is guessed under the same back-off as signing in
        with_password(actor.email or "", current or "", client)
    except WrongCredentials:
        raise ValidationError("Your current password is not right.") from None
    with owner_transaction() as conn:
        conn.execute(sa.text("update auth.users set encrypted_password = :hash, updated_at = now()"
                             " where id = :id"),
                     {"hash": auth.hash_password(new), "id": actor.user_id})
