"""Sign-in through Supabase Auth, with the real `supabase` package speaking real HTTP to
a local stand-in for Supabase's auth server (GoTrue), which we cannot reach from tests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.errors import ValidationError
from portal.models import Role
from services.demo import demo_id
from services.people import accounts, sign_in


def test_password_sign_in_uses_the_supabase_jwt_subject(demo_db, supabase_auth):
    tom_id = str(demo_id("user:tom@example.com"))
    supabase_auth.users["tom@example.com"] = ("supabase password", tom_id)
    actor = sign_in.with_password("tom@example.com", "supabase password")
    assert actor.user_id == UUID(tom_id) and actor.role is Role.ALUMNUS
    with pytest.raises(sign_in.SignInError, match="do not match"):
        sign_in.with_password("tom@example.com", "boomerang-demo")  # the local hash is not used


def test_a_token_supabase_does_not_vouch_for_signs_nobody_in(demo_db, supabase_auth):
    """The access token's claims count only once Supabase Auth verifies the token (get_claims:
    its user, for a shared-secret token): a forged or tampered reply names nobody."""
    tom_id = str(demo_id("user:tom@example.com"))
    supabase_auth.users["tom@example.com"] = ("supabase password", tom_id)
    supabase_auth.forge_tokens = True
    with pytest.raises(sign_in.SignInError, match="do not match"):
        sign_in.with_password("tom@example.com", "supabase password")
    assert any(path.startswith("/auth/v1/token") for path, _ in supabase_auth.requests)
    supabase_auth.forge_tokens = False
    assert sign_in.with_password("tom@example.com", "supabase password").user_id == UUID(tom_id)


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
