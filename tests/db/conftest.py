"""Fixtures the database tests share. Builders of rows live in tests/db/*_world.py and
tests/support.py; a module keeps only what no other module needs."""

from __future__ import annotations

import threading
from dataclasses import replace
from http.server import ThreadingHTTPServer

import pytest

from portal import storage
from portal.models import Actor
from portal.settings import settings
from services.people import accounts, sign_in
from tests.db.fake_gotrue import FakeGoTrue, jwt
from tests.db.fake_storage import FakeStorage
from tests.db.question_world import People, make_people
from tests.db.referral_world import ReferralWorld, make_referral_world
from tests.db.social_world import Team, make_team


@pytest.fixture
def people(clean_db) -> People:
    """An admin, a recruiter, a candidate, an alumnus and jobs in each status."""
    return make_people(clean_db)


@pytest.fixture
def admin(clean_db) -> Actor:
    """The portal's first admin, on an empty database."""
    return accounts.create_first_admin("admin@example.com", "Maya Admin", "a long password")


@pytest.fixture
def supabase_auth(monkeypatch):
    """The portal signs in through a local stand-in for Supabase Auth."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGoTrue)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = replace(settings(), supabase_url=f"http://127.0.0.1:{server.server_port}",
                     supabase_anon_key=jwt({"role": "anon"}))
    monkeypatch.setattr(accounts, "settings", lambda: config)
    monkeypatch.setattr(sign_in, "settings", lambda: config)
    FakeGoTrue.users, FakeGoTrue.codes, FakeGoTrue.requests = {}, {}, []
    FakeGoTrue.challenges, FakeGoTrue.links, FakeGoTrue.fail_invites = {}, {}, False
    FakeGoTrue.issued, FakeGoTrue.forge_tokens = {}, False
    yield FakeGoTrue
    server.shutdown()


@pytest.fixture
def supabase_storage(monkeypatch):
    """Résumés go to a local stand-in for Supabase Storage (`portal.storage.resume_store()`
    returns the real SupabaseStore, through the real `supabase` package)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStorage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    service_key = jwt({"role": "service_role"})
    config = replace(settings(), database_url=settings().database_url or "postgresql://supabase",
                     supabase_url=f"http://127.0.0.1:{server.server_port}",
                     supabase_service_key=service_key, resume_bucket="resumes")
    monkeypatch.setattr(storage, "settings", lambda: config)
    FakeStorage.service_key, FakeStorage.buckets, FakeStorage.objects = service_key, {}, {}
    FakeStorage.requests, FakeStorage.fail_with = [], None
    yield FakeStorage
    server.shutdown()


@pytest.fixture
def referral_world(clean_db) -> ReferralWorld:
    return make_referral_world(clean_db)


@pytest.fixture
def team(clean_db) -> Team:
    """The social-posts team (see make_team)."""
    return make_team(clean_db)
