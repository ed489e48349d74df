"""Sign-in through Supabase Auth, with the real `supabase` package speaking real HTTP to
a local stand-in for Supabase's auth server (GoTrue), which we cannot reach from tests."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.errors import ValidationError
from portal.models import Role
from portal.settings import settings
from services import accounts, sign_in
from services.demo import demo_id


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class FakeGoTrue(BaseHTTPRequestHandler):
    users: dict[str, tuple[str, str]] = {}  # email -> (password, user id)
    codes: dict[str, str] = {}  # email -> one-time code
    challenges: dict[str, str] = {}  # email -> PKCE code challenge of the last link sent
    links: dict[str, str] = {}  # auth code in a followed link -> email
    fail_invites = False
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
    monkeypatch.setattr(sign_in, "settings", lambda: config)
    FakeGoTrue.users, FakeGoTrue.codes, FakeGoTrue.requests = {}, {}, []
    FakeGoTrue.challenges, FakeGoTrue.links, FakeGoTrue.fail_invites = {}, {}, False
    yield FakeGoTrue
    server.shutdown()


def test_password_sign_in_uses_the_supabase_jwt_subject(demo_db, supabase_auth):
    tom_id = str(demo_id("user:tom@example.com"))
    supabase_auth.users["tom@example.com"] = ("supabase password", tom_id)
    actor = sign_in.with_password("tom@example.com", "supabase password")
    assert actor.user_id == UUID(tom_id) and actor.role is Role.ALUMNUS
    with pytest.raises(sign_in.SignInError, match="do not match"):
        sign_in.with_password("tom@example.com", "boomerang-demo")  # the local hash is not used


def test_code_sign_in_and_invitation(demo_db, supabase_auth):
    priya_id = str(demo_id("user:priya@example.com"))
    supabase_auth.users["priya@example.com"] = ("x", priya_id)
    supabase_auth.codes["priya@example.com"] = "123456"
    sign_in.send_code("priya@example.com")
    assert supabase_auth.requests[-1][0].startswith("/auth/v1/otp")
    with pytest.raises(sign_in.SignInError):
        sign_in.with_code("priya@example.com", "000000")
    assert sign_in.with_code("priya@example.com", "123456").role is Role.ALUMNUS

    # An admin invites someone: Supabase is asked to create the account and email it.
    supabase_auth.users["admin@example.com"] = ("pw", str(demo_id("user:admin@example.com")))
    admin = sign_in.with_password("admin@example.com", "pw")
    added = accounts.add_user(admin, "new@example.com", "New Person", Role.EMPLOYEE)
    assert added.invited_by_email and added.temporary_password is None
    path, body = supabase_auth.requests[-1]
    assert path.startswith("/auth/v1/otp") and body["email"] == "new@example.com"


def test_magic_link_signs_in_whichever_browser_session_opens_it(demo_db, supabase_auth):
    supabase_auth.users["priya@example.com"] = ("x", str(demo_id("user:priya@example.com")))
    sign_in.send_code("priya@example.com")
    path, body = supabase_auth.requests[-1]
    redirect_to = parse_qs(urlparse(path).query)["redirect_to"][0]
    assert redirect_to.startswith("http://localhost:8501/sign-in?login=")
    nonce = parse_qs(urlparse(redirect_to).query)["login"][0]
    # Supabase sends the person back to redirect_to with ?code=…; the nonce finds the verifier.
    supabase_auth.links["auth-code-1"] = "priya@example.com"
    assert sign_in.with_link(nonce, "auth-code-1").role is Role.ALUMNUS
    with pytest.raises(sign_in.SignInError, match="expired or was used already"):
        sign_in.with_link(nonce, "auth-code-1")


def test_unknown_address_gets_the_same_answer_and_no_link(demo_db, supabase_auth):
    sign_in.send_code("nobody@example.com")  # Supabase refuses; nothing reaches the user
    with demo_db.connect() as conn:
        links = conn.execute(sa.text("select count(*) from private.pending_sign_in_links")).scalar()
    assert links == 0


def test_a_failed_invitation_is_withdrawn(demo_db, supabase_auth):
    supabase_auth.users["admin@example.com"] = ("pw", str(demo_id("user:admin@example.com")))
    admin = sign_in.with_password("admin@example.com", "pw")
    supabase_auth.fail_invites = True
    with pytest.raises(ValidationError, match="could not send the invitation"):
        accounts.add_user(admin, "new@example.com", "New Person", Role.EMPLOYEE)
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.invitations")).scalar() == 0


def test_sign_in_page_completes_a_magic_link(demo_db, supabase_auth):
    from streamlit.testing.v1 import AppTest

    from tests.app.helpers import APP

    supabase_auth.users["tom@example.com"] = ("x", str(demo_id("user:tom@example.com")))
    sign_in.send_code("tom@example.com")
    redirect_to = parse_qs(urlparse(supabase_auth.requests[-1][0]).query)["redirect_to"][0]
    supabase_auth.links["auth-code-2"] = "tom@example.com"
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/public/sign_in.py")
    at.query_params.update({**parse_qs(urlparse(redirect_to).query), "code": "auth-code-2"})
    at.run()
    assert not at.exception
    assert at.session_state["actor"].email == "tom@example.com"
