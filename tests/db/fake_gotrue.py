"""A local stand-in for Supabase's auth server (GoTrue), which tests cannot reach: the real
`supabase` package speaks real HTTP to it. The `supabase_auth` fixture (tests/db/conftest.py)
starts one and points the portal at it."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from http.server import BaseHTTPRequestHandler


def jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class FakeGoTrue(BaseHTTPRequestHandler):
    users: dict[str, tuple[str, str]] = {}  # email -> (password, user id)
    codes: dict[str, str] = {}  # email -> one-time code
    challenges: dict[str, str] = {}  # email -> PKCE code challenge of the last link sent
    links: dict[str, str] = {}  # auth code in a followed link -> email
    fail_invites = False
    forge_tokens = False  # hand out tokens this server did not sign (as a tampered reply would be)
    requests: list[tuple[str, dict]] = []
    issued: dict[str, dict] = {}  # access token -> its user, for GET /auth/v1/user

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        FakeGoTrue.requests.append((self.path, body))
        email = body.get("email", "")
        if self.path.startswith("/auth/v1/token?grant_type=password"):
            known = self.users.get(email)
            if not known or known[0] != body.get("password"):
                return self._reply(400, {"code": 400, "error_code": "invalid_credentials",
                                         "msg": "Invalid login credentials"})
            return self._session(email, known[1])
        if self.path.startswith("/auth/v1/otp"):
            if not body.get("create_user") and email not in self.users:
                return self._reply(422, {"code": 422, "error_code": "otp_disabled",
                                         "msg": "Signups not allowed for otp"})
            if body.get("create_user") and self.fail_invites:
                return self._reply(500, {"code": 500, "msg": "Error sending magic link email"})
            self.challenges[email] = body.get("code_challenge", "")
            return self._reply(200, {})
        if self.path.startswith("/auth/v1/token?grant_type=pkce"):
            email = self.links.get(body.get("auth_code"), "")
            digest = hashlib.sha256(body.get("code_verifier", "").encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not email or self.challenges.get(email) != challenge:
                return self._reply(400, {"code": 400, "error_code": "bad_code_verifier",
                                         "msg": "code challenge does not match"})
            return self._session(email, self.users[email][1])
        if self.path.startswith("/auth/v1/verify"):
            if self.codes.get(email) != body.get("token") or email not in self.users:
                return self._reply(403, {"code": 403, "error_code": "otp_expired",
                                         "msg": "Token has expired or is invalid"})
            return self._session(email, self.users[email][1])
        self._reply(404, {"msg": "not found"})

    def do_GET(self):  # noqa: N802 - http.server's naming
        # The user a token belongs to: how supabase-auth's get_claims checks a token signed
        # with a shared secret (HS256), which only the auth server can verify.
        if self.path.startswith("/auth/v1/user"):
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in self.issued:
                return self._reply(403, {"code": 403, "error_code": "bad_jwt",
                                         "msg": "invalid JWT: unable to parse or verify signature"})
            return self._reply(200, self.issued[token])
        self._reply(404, {"msg": "not found"})

    def _session(self, email: str, user_id: str):
        now = int(time.time())
        user = {"id": user_id, "aud": "authenticated", "role": "authenticated", "email": email,
                "app_metadata": {}, "user_metadata": {}, "created_at": "2026-01-01T00:00:00Z"}
        token = jwt({"sub": user_id, "email": email, "role": "authenticated", "exp": now + 3600,
                      "aud": "authenticated"})
        if not self.forge_tokens:
            self.issued[token] = user
        self._reply(200, {"access_token": token, "refresh_token": "r", "token_type": "bearer",
                          "expires_in": 3600, "expires_at": now + 3600, "user": user})

    def _reply(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
