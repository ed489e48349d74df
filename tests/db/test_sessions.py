"""Sign-in sessions: a one-time hand-off code becomes a session; a session resumes the user
as their profile makes them now, until it is idle too long, too old, or ended."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.models import Actor, Role
from portal.tokens import token_hash
from services.people import accounts, sessions


@pytest.fixture
def recruiter(admin) -> Actor:
    new = accounts.add_user(admin, "rita@example.com", "Rita Recruiter", Role.RECRUITER)
    return Actor(user_id=new.user_id, email=new.email, role=Role.RECRUITER, full_name="Rita Recruiter")


def signed_in_session(actor, device="Firefox on Linux") -> str:
    return sessions.open_session(sessions.hand_off(actor), device)


def test_a_hand_off_code_opens_one_session_once(admin):
    code = sessions.hand_off(admin)
    token = sessions.open_session(code, "Chromium")
    assert token and token != code
    assert sessions.open_session(code, "Chromium") is None  # used
    assert sessions.resume(token).user_id == admin.user_id
    assert sessions.open_session("not-a-code") is None


def test_an_expired_hand_off_code_opens_nothing(admin, engine):
    code = sessions.hand_off(admin)
    with engine.begin() as conn:
        conn.execute(sa.text("update private.sign_in_handoffs set expires_at = now() - interval '1 s'"))
    assert sessions.open_session(code) is None


def test_only_hashes_are_stored(admin, engine):
    code = sessions.hand_off(admin)
    token = sessions.open_session(code)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select token_hash from private.sign_in_sessions")).scalars().all()
    assert stored == [token_hash(token)] and token.encode() not in stored[0]


def test_a_session_resumes_the_user_as_they_are_now(admin, recruiter):
    token = signed_in_session(recruiter)
    resumed = sessions.resume(token)
    assert (resumed.user_id, resumed.email, resumed.role, resumed.full_name) == \
        (recruiter.user_id, "rita@example.com", Role.RECRUITER, "Rita Recruiter")
    accounts.change_role(admin, recruiter.user_id, Role.ADMIN)
    assert sessions.resume(token).role is Role.ADMIN
    accounts.set_active(admin, recruiter.user_id, False)
    assert sessions.resume(token) is None  # deactivated: signed out at once


@pytest.mark.parametrize("column, age", [("last_seen_at", sessions.IDLE_DAYS), ("expires_at", 0)])
def test_idle_and_old_sessions_end(admin, engine, column, age):
    token = signed_in_session(admin)
    assert sessions.still_open(token, admin)
    with engine.begin() as conn:
        conn.execute(sa.text(f"update private.sign_in_sessions set {column} = now()"  # noqa: S608
                             " - make_interval(days => :age, secs => 1)"), {"age": age})
    assert sessions.resume(token) is None and not sessions.still_open(token, admin)


def test_signing_out_ends_one_session_and_everywhere_ends_all(admin):
    here, there = signed_in_session(admin, "Chromium"), signed_in_session(admin, "Safari on iPhone")
    listed = sessions.devices(admin, here)
    assert [(d.device, d.this_browser) for d in listed] == [("Safari on iPhone", False), ("Chromium", True)]
    sessions.end(here)
    assert not sessions.still_open(here, admin) and sessions.still_open(there, admin)
    assert sessions.end_all(admin) == 1
    assert sessions.resume(there) is None and sessions.devices(admin, there) == []


def test_a_session_is_checked_against_its_own_user(admin, recruiter):
    token = signed_in_session(admin)
    assert sessions.still_open(token, admin) and not sessions.still_open(token, recruiter)


@pytest.mark.parametrize("path, kept", [
    ("/overview", "/overview"), ("/job?id=1", "/job?id=1"), ("//evil.example", "/"),
    ("https://evil.example", "/"), ("/\\evil.example", "/"), ("", "/"), (None, "/"),
])
def test_next_stays_on_this_site(path, kept):
    assert sessions.local_path(path) == kept


def test_each_rerun_checks_the_account_and_the_session_in_one_call(admin, recruiter, engine):
    token = signed_in_session(recruiter)
    fresh, session_open = sessions.current(recruiter, token)
    assert (fresh, session_open) == (recruiter, True)
    assert sessions.current(recruiter, None) == (recruiter, True)  # signed in without a cookie
    assert sessions.current(admin, token)[1] is False  # another user's session
    assert sessions.current(recruiter, "not-a-token")[1] is False
    accounts.change_role(admin, recruiter.user_id, Role.ADMIN)
    assert sessions.current(recruiter, token)[0].role is Role.ADMIN  # applies at this click
    sessions.end(token)
    assert sessions.current(recruiter, token) == (
        Actor(recruiter.user_id, recruiter.email, Role.ADMIN, recruiter.full_name), False)
    accounts.set_active(admin, recruiter.user_id, False)
    assert sessions.current(recruiter, None)[0] is None  # deactivated: signed out
