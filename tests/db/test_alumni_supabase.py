"""Joining from an alumni invitation when accounts live in Supabase Auth: the portal
redeems the link in the database, asks Supabase (a local stand-in for its auth server,
spoken to over real HTTP by the `supabase` package) to create the account and email a
sign-in link, and the account Supabase creates becomes an alumnus."""

from __future__ import annotations

from uuid import uuid4

import pytest
import sqlalchemy as sa

from portal.errors import ValidationError
from portal.models import Role
from services.people import accounts
from services.referrals import roster as alumni
from tests.support import invite_token


@pytest.fixture
def invitation_link(clean_db, supabase_auth, monkeypatch):  # noqa: F811
    monkeypatch.setattr(alumni, "settings", accounts.settings)  # the fixture's Supabase settings
    with clean_db.begin() as conn:  # made before Supabase was switched on, as the embedded auth would
        admin_id = accounts.create_account(conn, "admin@example.com", "Maya Admin", Role.ADMIN, None)
    from portal.models import Actor
    admin = Actor(user_id=admin_id, email="admin@example.com", role=Role.ADMIN, full_name="Maya Admin")
    alumni.import_roster(admin, b"name,email\nAda Lovelace,ada@example.com\n")
    return next(i.link for i in alumni.send_invitations(admin).to_forward if i.email == "ada@example.com")


def test_supabase_is_asked_to_create_the_account_which_becomes_an_alumnus(
        invitation_link, supabase_auth, clean_db):  # noqa: F811
    registered = alumni.register(invite_token(invitation_link), "Ada L.", "", "")  # Supabase owns passwords
    assert registered.actor is None and registered.emailed
    path, body = supabase_auth.requests[-1]
    assert path.startswith("/auth/v1/otp") and body["email"] == "ada@example.com" and body["create_user"]
    # Supabase creates the user when Ada follows the emailed link; the role comes from the
    # invitation the link redeemed.
    with clean_db.begin() as conn:
        conn.execute(sa.text("insert into auth.users (id, email, raw_user_meta_data)"
                             " values (:id, 'ada@example.com', '{}')"), {"id": uuid4()})
        role, name = conn.execute(sa.text("select role::text, full_name from public.profiles"
                                          " where email = 'ada@example.com'")).one()
    assert (role, name) == ("alumnus", "Ada L.")
    with pytest.raises(ValidationError, match="used already"):
        alumni.register(invite_token(invitation_link), "Mallory", "", "")


def test_a_failed_supabase_email_leaves_the_link_usable(invitation_link, supabase_auth, clean_db):  # noqa: F811
    supabase_auth.fail_invites = True
    with pytest.raises(ValidationError, match="could not send the sign-in email"):
        alumni.register(invite_token(invitation_link), "Ada L.", "", "")
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select registered_at from public.alumni_roster"
                                    " where email = 'ada@example.com'")).scalar() is None
    supabase_auth.fail_invites = False
    assert alumni.register(invite_token(invitation_link), "Ada L.", "", "").emailed
