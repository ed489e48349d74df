"""The alumni roster page and the registration page through AppTest."""

from __future__ import annotations

from portal.models import Role
from services.people import sign_in
from services.referrals import roster as alumni
from tests.app.helpers import (
    ROSTER,
    ROSTER_CSV,
    assert_errors,
    assert_no_exception,
    open_page,
    signed_in,
    texts,
)
from tests.support import invite_token

REGISTER = "pages/public/register.py"


def test_roster_lists_searches_and_invites_without_smtp(demo_db):
    admin = signed_in("admin@example.com")
    at = open_page(ROSTER, admin)
    demo_alumni = at.dataframe[0].value
    assert "priya@example.com" in set(demo_alumni["Email"]) and set(demo_alumni["Status"]) == {"Registered"}
    alumni.import_roster(admin, ROSTER_CSV)
    at.run()
    table = at.dataframe[0].value
    table = table[table["Status"] == "Not invited"]
    assert list(table["Email"]) == ["ada@example.com", "bobby@example.com"]
    assert list(table["Name"]) == ["Ada Lovelace", "Bobby <b>Tables</b>"]  # shown as text
    assert [b for b in at.button if b.label == "Invite the chosen"][0].disabled
    at.text_input[0].input("engin").run()
    found = set(at.dataframe[0].value["Email"])
    assert "ada@example.com" in found and "bobby@example.com" not in found
    at.text_input[0].input("").run()
    [b for b in at.button if b.label == "Invite everyone not invited yet"][0].click().run()
    assert_no_exception(at)
    assert "Not emailed, as no SMTP server is set: 2 invitations." in texts(at)
    links = at.dataframe[-1].value
    assert list(links["Email"]) == ["ada@example.com", "bobby@example.com"]
    assert alumni.invitation(invite_token(links["Invitation link"][0])).email == "ada@example.com"
    assert set(at.dataframe[0].value["Status"]) == {"Invited", "Registered"}
    [b for b in at.button if b.label == "Invite everyone not invited yet"][0].click().run()
    assert "Nobody to invite" in texts(at)


def _invite_ada(admin_email="admin@example.com") -> str:
    admin = signed_in(admin_email)
    alumni.import_roster(admin, ROSTER_CSV)
    ada = alumni.list_roster(admin, search="ada").rows[0]
    return invite_token(alumni.send_invitations(admin, [ada.id]).invitations[0].link)


def test_registering_refuses_bad_input_and_keeps_it(demo_db):
    at = open_page(REGISTER, invite=_invite_ada())
    assert "Welcome back, Ada Lovelace" in texts(at) and "ada@example.com" in texts(at)
    assert "invite" not in at.query_params  # the token leaves the address bar
    at.text_input(key="register-name").input("Ada King")
    at.text_input(key="register-password").input("short")
    at.text_input(key="register-password-again").input("short")
    at.button(key="FormSubmitter:register-Register").click().run()
    assert_errors(at, "Choose a password of at least 10 characters.")
    assert at.text_input(key="register-name").value == "Ada King"
    at.text_input(key="register-password").input("a long password")
    at.text_input(key="register-password-again").input("another long one")
    at.button(key="FormSubmitter:register-Register").click().run()
    assert "two passwords differ" in texts(at)
    at.text_input(key="register-password-again").input("a long password")
    at.button(key="FormSubmitter:register-Register").click().run()
    assert_no_exception(at)
    assert at.session_state["actor"].role is Role.ALUMNUS
    assert "Something went wrong" not in texts(at)
    assert [t.value for t in at.title] == ["My referrals"]  # signed in, on their page
    assert sign_in.with_password("ada@example.com", "a long password").full_name == "Ada King"


def test_bad_used_and_missing_links(demo_db):
    at = open_page(REGISTER, invite="made-up-token",
                   expected_errors=("This invitation link is not valid",))
    assert "Send me an invitation" in [b.label for b in at.button]
    token = _invite_ada()
    alumni.register(token, "Ada", "a long password", "a long password")
    at = open_page(REGISTER, invite=token, expected_errors=("This invitation was used already",))
    assert not [t for t in at.text_input if t.key == "register-password"]


def test_join_form_without_a_link(demo_db):
    at = open_page(REGISTER)
    assert "An admin of the portal adds employees" in texts(at)
    at.text_input(key="join-email").input("not an email")
    at.button(key="FormSubmitter:join-Send me an invitation").click().run()
    assert_errors(at, "Enter your email address")
    assert at.text_input(key="join-email").value == "not an email"
    at.text_input(key="join-email").input("ada@example.com")
    at.button(key="FormSubmitter:join-Send me an invitation").click().run()
    assert "does not send email" in texts(at)  # no SMTP in the tests: ask HR


def test_sign_in_links_to_joining(demo_db):
    at = open_page("pages/public/sign_in.py")
    assert any("Join as an alumnus" in link.label for link in at.get("page_link"))
