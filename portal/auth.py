"""Identity providers: checking who someone is.

Embedded mode keeps bcrypt hashes in `auth.users`, as Supabase Auth stores them.
Supabase mode asks Supabase Auth through the `supabase` package (password, or a
one-time code sent by email) and uses the claims of the JWT it returns.
Neither decides what a user may do: that is row-level security's job.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from uuid import UUID

import bcrypt

# GoTrue hashes with cost 10; the same cost keeps sign-in near 60 ms.
BCRYPT_ROUNDS = 10
# Checked when no account matches, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = bcrypt.hashpw(b"no such account", bcrypt.gensalt(BCRYPT_ROUNDS))


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
    """Sign-in through Supabase Auth (used when SUPABASE_URL and SUPABASE_ANON_KEY are set)."""

    def __init__(self, url: str, anon_key: str):
        from supabase import create_client

        self._client = create_client(url, anon_key)

    def with_password(self, email: str, password: str) -> Identity | None:
        from supabase_auth.errors import AuthApiError

        try:
            response = self._client.auth.sign_in_with_password(
                {"email": email, "password": password}
            )
        except AuthApiError:
            return None
        return _identity(response.session.access_token if response.session else None)

    def send_code(self, email: str) -> None:
        """Email a one-time code (and magic link) to an existing account."""
        self._client.auth.sign_in_with_otp({"email": email, "options": {"should_create_user": False}})

    def invite(self, email: str) -> None:
        """Create the account if needed and email it a sign-in link and code."""
        self._client.auth.sign_in_with_otp({"email": email, "options": {"should_create_user": True}})

    def with_code(self, email: str, code: str) -> Identity | None:
        from supabase_auth.errors import AuthApiError

        try:
            response = self._client.auth.verify_otp({"email": email, "token": code, "type": "email"})
        except AuthApiError:
            return None
        return _identity(response.session.access_token if response.session else None)


def _identity(access_token: str | None) -> Identity | None:
    if not access_token:
        return None
    claims = jwt_claims(access_token)
    return Identity(user_id=UUID(claims["sub"]), email=claims.get("email", ""))


def jwt_claims(token: str) -> dict:
    """The payload of a JWT that Supabase Auth just handed us over TLS."""
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))
