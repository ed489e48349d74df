"""Sign-in through Supabase Auth, with the real `supabase` package speaking real HTTP to
a local stand-in for Supabase's auth server (GoTrue), which we cannot reach from tests."""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import UUID

import pytest

from portal.models import Role
from portal.settings import settings
from services import accounts
from services.demo import demo_id


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class FakeGoTrue(BaseHTTPRequestHandler):
    users: dict[str, tuple[str, str]] = {}  # email -> (password, user id)
    codes: dict[str, str] = {}  # email -> one-time code
    requests: list[tuple[str, dict]] = []

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
            return self._reply(200, {})
        if self.path.startswith("/auth/v1/verify"):
            if self.codes.get(email) != body.get("token") or email not in self.users:
                return self._reply(403, {"code": 403, "error_code": "otp_expired",
                                         "msg": "Token has expired or is invalid"})
            return self._session(email, self.users[email][1])
        self._reply(404, {"msg": "not found"})

    def _session(self, email: str, user_id: str):
        now = int(time.time())
        user = {"id": user_id, "aud": "authenticated", "role": "authenticated", "email": email,
                "app_metadata": {}, "user_metadata": {}, "created_at": "2026-01-01T00:00:00Z"}
        token = _jwt({"sub": user_id, "email": email, "role": "authenticated", "exp": now + 3600,
                      "aud": "authenticated"})
        self._reply(200, {"access_token": token, "refresh_token": "r", "token_type": "bearer",
                          "expires_in": 3600, "expires_at": now + 3600, "user": user})

    def _reply(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def supabase_auth(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGoTrue)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = replace(settings(), supabase_url=f"http://127.0.0.1:{server.server_port}",
                     supabase_anon_key=_jwt({"role": "anon"}))
    monkeypatch.setattr(accounts, "settings", lambda: config)
    FakeGoTrue.users, FakeGoTrue.codes, FakeGoTrue.requests = {}, {}, []
    yield FakeGoTrue
    server.shutdown()


def test_password_sign_in_uses_the_supabase_jwt_subject(demo_db, supabase_auth):
    tom_id = str(demo_id("user:tom@example.com"))
    supabase_auth.users["tom@example.com"] = ("supabase password", tom_id)
    actor = accounts.sign_in("tom@example.com", "supabase password")
    assert actor.user_id == UUID(tom_id) and actor.role is Role.ALUMNUS
    with pytest.raises(accounts.SignInError, match="do not match"):
        accounts.sign_in("tom@example.com", "boomerang-demo")  # the local hash is not used


def test_code_sign_in_and_invitation(demo_db, supabase_auth):
    priya_id = str(demo_id("user:priya@example.com"))
    supabase_auth.users["priya@example.com"] = ("x", priya_id)
    supabase_auth.codes["priya@example.com"] = "123456"
    accounts.send_sign_in_code("priya@example.com")
    assert supabase_auth.requests[-1][0].startswith("/auth/v1/otp")
    with pytest.raises(accounts.SignInError):
        accounts.sign_in_with_code("priya@example.com", "000000")
    assert accounts.sign_in_with_code("priya@example.com", "123456").role is Role.ALUMNUS

    # An admin invites someone: Supabase is asked to create the account and email it.
    supabase_auth.users["admin@example.com"] = ("pw", str(demo_id("user:admin@example.com")))
    admin = accounts.sign_in("admin@example.com", "pw")
    added = accounts.add_user(admin, "new@example.com", "New Person", Role.EMPLOYEE)
    assert added.invited_by_email and added.temporary_password is None
    path, body = supabase_auth.requests[-1]
    assert path.startswith("/auth/v1/otp") and body["email"] == "new@example.com"
