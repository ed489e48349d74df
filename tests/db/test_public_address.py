"""Where links lead (issue 15): PORTAL_PUBLIC_URL, else the address an admin chose in the
portal, else localhost; only admins choose, only a bare address is kept, and it is audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.db import act_as
from portal.errors import PermissionDenied, ValidationError
from portal.models import Role
from portal.public_address import DEFAULT, public_url
from portal.settings import Settings
from services.candidates import private_links
from services.people import preferences
from tests.db.rows import add_account


@pytest.fixture
def people(clean_db):
    return {"admin": add_account(clean_db, "ada@example.com", role=Role.ADMIN),
            "recruiter": add_account(clean_db, "rita@example.com", role=Role.RECRUITER)}


def test_links_lead_to_the_address_an_admin_chose_unless_one_is_configured(clean_db, people):
    assert public_url(Settings()) == DEFAULT
    assert preferences.choose_public_url(people["admin"], "https://Careers.Example.com") == \
        "https://careers.example.com"
    assert public_url(Settings()) == "https://careers.example.com"  # read again at once: shared data changed
    assert private_links.follow_link("application", "tok").startswith("https://careers.example.com/follow?")
    assert public_url(Settings(public_url="https://jobs.example.org")) == "https://jobs.example.org"
    with clean_db.connect() as conn:
        assert conn.execute(sa.text(
            "select details->>'public_url' from public.audit_log where action = 'settings.public_url'"
            " and actor_id = :admin"), {"admin": people["admin"].user_id}).scalar_one() == \
            "https://careers.example.com"


def test_only_admins_choose_and_only_a_bare_address(clean_db, people):
    with pytest.raises(PermissionDenied):
        preferences.choose_public_url(people["recruiter"], "https://evil.example")
    with pytest.raises(ValidationError, match="no path"):
        preferences.choose_public_url(people["admin"], "https://careers.example.com/phish")
    assert public_url(Settings()) == DEFAULT


@pytest.mark.parametrize("value", ["javascript:alert(1)", "https://x.example/path", "https://a@b.example"])
def test_the_database_keeps_no_other_value_whoever_writes_it(clean_db, people, value):
    """Through the Data API an admin writes the row directly: the check still holds."""
    with pytest.raises(sa.exc.IntegrityError), clean_db.begin() as conn:
        act_as(conn, people["admin"])
        conn.execute(sa.text("update public.portal_settings set public_url = :v where id = 1"), {"v": value})


def test_staff_and_visitors_cannot_change_it_directly(clean_db, people):
    for who in (people["recruiter"], None):
        with clean_db.begin() as conn:
            if who:
                act_as(conn, who)
            else:
                conn.execute(sa.text("set local role anon"))
            try:
                changed = conn.execute(sa.text("update public.portal_settings set public_url ="
                                               " 'https://evil.example' where id = 1")).rowcount
            except sa.exc.ProgrammingError:  # visitors may not update at all
                changed = 0
            assert changed == 0
    assert public_url(Settings()) == DEFAULT
