import json
from uuid import uuid4

from portal.models import Actor, Page, Role
from portal.settings import load_settings


def test_visitor_runs_as_anon_without_a_subject():
    visitor = Actor.visitor()
    assert visitor.db_role == "anon"
    assert json.loads(visitor.jwt_claims()) == {"role": "anon"}


def test_signed_in_user_claims_carry_the_subject():
    user_id = uuid4()
    actor = Actor(user_id=user_id, email="a@example.com", role=Role.ALUMNUS)
    claims = json.loads(actor.jwt_claims())
    assert actor.db_role == "authenticated"
    assert claims == {"role": "authenticated", "sub": str(user_id), "email": "a@example.com"}


def test_staff_roles():
    assert {r for r in Role if r.is_staff} == {Role.RECRUITER, Role.ADMIN}


def test_page_counts_and_offsets():
    page = Page(rows=[1, 2], total=41, number=3, size=20)
    assert page.page_count == 3
    assert Page.offset(3, 20) == 40
    assert Page(rows=[], total=0, number=1, size=20).page_count == 1


def test_settings_hide_secrets_from_repr():
    config = load_settings({"DATABASE_URL": "postgresql://u:hunter2@db/x",
                            "SUPABASE_ANON_KEY": "anon-secret", "SUPABASE_URL": "https://x"})
    assert "hunter2" not in repr(config) and "anon-secret" not in repr(config)
    assert not config.embedded and config.supabase_auth


def test_settings_default_to_embedded():
    config = load_settings({})
    assert config.embedded and not config.supabase_auth
    assert config.data_dir.name == ".data"
