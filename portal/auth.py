"""Identity providers: checking who someone is.

Embedded mode keeps bcrypt hashes in `auth.users`, as Supabase Auth stores them.
Supabase mode asks Supabase Auth through the `supabase` package (password, or a
one-time code sent by email) and uses the claims of the JWT it returns once Supabase Auth has
verified it (`get_claims`). Its refresh token is never kept: the portal's own server-side
session (services/people/sessions.py) is what lasts, so no Supabase token reaches a browser.
Neither decides what a user may do: that is row-level security's job.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import UUID

import bcrypt

# GoTrue hashes with cost 10; the same cost keeps sign-in near 60 ms.
BCRYPT_ROUNDS = 10
# Checked when no account matches, so a wrong email costs as long as a wrong password: a
# hash of "no such account" at BCRYPT_ROUNDS, written out (hashing it at import cost the
# server's start a quarter of a second).
_DUMMY_HASH = b"$2b$10$Z7CDxilKVkWxGpb9zZ4IfufrKeATC2HGMZfVo6RVkUR2LA7lWBcum"


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def password_matches(password: str, stored_hash: str | None) -> bool:
    candidate = (stored_hash or "").encode() or _DUMMY_HASH
    try:
        return bcrypt.checkpw(password.encode(), candidate) and stored_hash is not None
    except ValueError:  # a malformed hash, or a password over 72 bytes
        return False


def generate_password() -> str:
    """A temporary password to hand over once."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class Identity:
    """A user proven by an identity provider."""

    user_id: UUID
    email: str


class SupabaseSignIn:
    """Sign-in through Supabase Auth (used when SUPABASE_URL and SUPABASE_ANON_KEY are set).

    The client keeps no session: once the JWT's claims are verified and read, the Supabase
    session is signed out again, since the portal's own session is the one that lasts.
    """

    def __init__(self, url: str, anon_key: str):
        from supabase_auth import SyncMemoryStorage

        from supabase import ClientOptions, create_client

        self._storage = SyncMemoryStorage()
        self._client = create_client(url, anon_key, ClientOptions(
            auto_refresh_token=False, persist_session=False, flow_type="pkce",
            storage=self._storage))

    def with_password(self, email: str, password: str) -> Identity | None:
        return self._session_identity(lambda: self._client.auth.sign_in_with_password(
            {"email": email, "password": password}))

    def send_code(self, email: str, redirect_to: str) -> str | None:
        """Email an existing account a one-time code and a magic link back to
        `redirect_to`. Returns the PKCE code verifier the link will need, or None when
        Supabase refused (unknown address, rate limit): the caller says the same either way."""
        from supabase_auth.errors import AuthApiError

        try:
            self._client.auth.sign_in_with_otp({"email": email, "options": {
                "should_create_user": False, "email_redirect_to": redirect_to}})
        except AuthApiError:
            return None
        # supabase-auth keeps the verifier in the client's storage under "<key>-code-verifier".
        return next((value for key, value in self._storage.storage.items()
                     if key.endswith("-code-verifier")), None)

    def invite(self, email: str) -> None:
        """Create the account if needed and email it a sign-in link and code."""
        self._client.auth.sign_in_with_otp({"email": email, "options": {"should_create_user": True}})

    def with_code(self, email: str, code: str) -> Identity | None:
        return self._session_identity(lambda: self._client.auth.verify_otp(
            {"email": email, "token": code, "type": "email"}))

    def with_link(self, auth_code: str, code_verifier: str) -> Identity | None:
        """The magic link came back with `?code=`: trade it for a session."""
        return self._session_identity(lambda: self._client.auth.exchange_code_for_session(
            {"auth_code": auth_code, "code_verifier": code_verifier}))

    def _session_identity(self, request) -> Identity | None:
        from supabase_auth.errors import AuthApiError, AuthError

        try:
            response = request()
        except AuthApiError:
            return None
        identity = self._verified_identity(response.session.access_token if response.session else None)
        try:
            self._client.auth.sign_out({"scope": "local"})
        except AuthError:  # the refresh token dies with its session anyway
            pass
        return identity

    def _verified_identity(self, access_token: str | None) -> Identity | None:
        """Who the access token names, once Supabase Auth vouches for it: `get_claims` checks
        its signature against the project's published keys (asymmetric keys), or asks the
        auth server for its user (a shared secret); an expired or forged token names nobody."""
        from supabase_auth.errors import AuthError

        if not access_token:
            return None
        try:
            verified = self._client.auth.get_claims(jwt=access_token)
        except AuthError:
            return None
        claims = verified["claims"] if verified else {}
        if not claims.get("sub"):
            return None
        return Identity(user_id=UUID(claims["sub"]), email=claims.get("email", ""))
