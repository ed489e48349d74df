"""The alumni roster, invitations and registering through them (real PostgreSQL, and a
real SMTP receiver where mail is sent)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal import task_queue
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.people import accounts, sign_in
from services.referrals import roster as alumni
from tests.support import in_a_thread, invite_token

ROSTER = (b"name,email,department,last_day,linkedin_url,notes\n"
          b"Ada Lovelace,Ada@Example.com,Engineering,2024-06-30,https://www.linkedin.com/in/ada,x\n"
          b"No Email,,Sales,,,\n"
          b"Bad Date,bad@example.com,Sales,30/06/2024,,\n"
          b"Bad Link,link@example.com,Sales,,https://evil.example/in/x,\n"
          b"Grace Hopper,grace@example.com,,,,\n"
          b"Ada Again,ada@example.com,Finance,,,\n")


def test_import_keeps_good_rows_and_reports_bad_ones_by_row(admin):
    result = alumni.import_roster(admin, ROSTER, "roster.csv")
    assert result.added == 2 and result.already_imported == 1
    assert [(p.row, p.reason.split(" ")[0]) for p in result.problems] == [
        (3, "email"), (4, "last_day"), (5, "linkedin_url")]
    assert result.ignored_columns == ["notes"]
    again = alumni.import_roster(admin, ROSTER, "roster.csv")
    assert (again.added, again.already_imported) == (0, 3)
    page = alumni.list_roster(admin)
    assert [(r.email, r.department, r.status) for r in page.rows] == [
        ("ada@example.com", "Engineering", "not invited"), ("grace@example.com", "", "not invited")]
    assert alumni.list_roster(admin, search="hopp").total == 1
    assert alumni.list_roster(admin, status="invited").total == 0


def test_a_file_without_the_columns_is_refused_whole(admin):
    with pytest.raises(ValidationError, match="missing: email"):
        alumni.import_roster(admin, b"name,department\nAda,Eng\n")


def test_only_admins_manage_the_roster(admin):
    recruiter_id = accounts.add_user(admin, "rec@example.com", "Rec", Role.RECRUITER).user_id
    recruiter = Actor(user_id=recruiter_id, email="rec@example.com", role=Role.RECRUITER)
    for call in (lambda: alumni.import_roster(recruiter, ROSTER), lambda: alumni.list_roster(recruiter),
                 lambda: alumni.send_invitations(recruiter)):
        with pytest.raises(PermissionDenied):
            call()


def test_invite_register_and_sign_in_without_smtp(admin, engine):
    alumni.import_roster(admin, ROSTER)
    invited = alumni.send_invitations(admin)
    assert invited.queued == 0 and [i.email for i in invited.to_forward] == [
        "ada@example.com", "grace@example.com"]
    token = invite_token(invited.to_forward[0].link)
    with engine.connect() as conn:  # only the hash is kept
        stored = conn.execute(sa.text("select invitation_hash from public.alumni_roster"
                                      " where email = 'ada@example.com'")).scalar_one()
    assert token not in stored and re.fullmatch(r"[0-9a-f]{64}", stored)
    assert alumni.send_invitations(admin).invitations == []  # "all" means not invited yet
    assert alumni.invitation(token).full_name == "Ada Lovelace"

    registered = alumni.register(token, "Ada L.", "a long password", "a long password")
    assert registered.actor.role is Role.ALUMNUS and registered.actor.email == "ada@example.com"
    assert sign_in.with_password("ADA@example.com", "a long password").role is Role.ALUMNUS
    with pytest.raises(ValidationError, match="used already"):
        alumni.register(token, "Mallory", "a long password", "a long password")
    assert alumni.list_roster(admin, status="registered").total == 1
    # a registered row is not invited again, even when chosen
    ada = alumni.list_roster(admin, search="ada").rows[0]
    assert alumni.send_invitations(admin, [ada.id]).invitations == []


def test_bad_and_expired_tokens_create_nothing(admin, engine):
    alumni.import_roster(admin, ROSTER)
    token = invite_token(alumni.send_invitations(admin).invitations[0].link)
    with pytest.raises(ValidationError, match="not valid"):
        alumni.register("made-up", "Eve", "a long password", "a long password")
    with pytest.raises(ValidationError, match="differ"):
        alumni.register(token, "Ada", "a long password", "another password")
    with engine.begin() as conn:
        conn.execute(sa.text("update public.alumni_roster"
                             " set invitation_expires_at = now() - interval '1 s'"))
    assert not alumni.invitation(token).usable
    with pytest.raises(ValidationError, match="expired on"):
        alumni.register(token, "Ada", "a long password", "a long password")
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.profiles")).scalar() == 1
    # a new invitation replaces the old link
    ada = alumni.list_roster(admin, search="ada").rows[0]
    assert ada.status == "invitation expired"
    fresh = invite_token(alumni.send_invitations(admin, [ada.id]).invitations[0].link)
    with pytest.raises(ValidationError, match="not valid"):
        alumni.register(token, "Ada", "a long password", "a long password")
    assert alumni.register(fresh, "Ada", "a long password", "a long password").actor.role is Role.ALUMNUS


def test_the_database_refuses_visitors_without_a_good_token(admin, engine):
    """The rule is in SQL: a visitor can neither read the roster nor redeem a made-up token,
    and the alumnus role comes only through the function."""
    alumni.import_roster(admin, ROSTER)
    from portal.db import transaction
    with transaction(Actor.visitor()) as conn, pytest.raises(sa.exc.DBAPIError, match="not valid"):
        conn.execute(sa.text("select private.redeem_alumni_invitation('guess', 'Eve')"))
    with transaction(Actor.visitor()) as conn, pytest.raises(sa.exc.ProgrammingError):
        conn.execute(sa.text("select count(*) from public.alumni_roster"))


def test_an_existing_account_cannot_redeem_an_invitation(admin):
    alumni.import_roster(admin, ROSTER)
    accounts.add_user(admin, "grace@example.com", "Grace", Role.EMPLOYEE)
    grace = alumni.list_roster(admin, search="grace").rows[0]
    token = invite_token(alumni.send_invitations(admin, [grace.id]).invitations[0].link)
    with pytest.raises(ValidationError, match="already an account"):
        alumni.register(token, "Grace", "a long password", "a long password")


def test_invitations_are_queued_where_smtp_is_set_and_the_worker_emails_them(admin, smtp):
    alumni.import_roster(admin, ROSTER)
    invited = alumni.send_invitations(admin)
    assert invited.queued == 2 and invited.to_forward == []
    assert smtp.messages == []  # the page does not wait for the mail server
    in_a_thread(task_queue.run, wait=False)
    assert sorted(m[0][0] for m in smtp.messages) == ["ada@example.com", "grace@example.com"]
    body = smtp.messages[0][1].get_payload(decode=True).decode()
    token = invite_token(re.search(r"http\S+", body).group(0))
    assert alumni.register(token, "Ada", "a long password", "a long password").actor is not None


def test_joining_by_email_says_the_same_for_everyone(admin, smtp):
    alumni.import_roster(admin, ROSTER)
    answers = {alumni.request_invitation(e) for e in ("ADA@example.com", "stranger@example.com",
                                                       "admin@example.com")}
    assert answers == {alumni.JOIN_ANSWER}
    assert [m[0] for m in smtp.messages] == [["ada@example.com"]]  # not the stranger, not the admin
    alumni.request_invitation("ada@example.com")  # within the hour: no second email
    assert len(smtp.messages) == 1
    with pytest.raises(ValidationError, match="Enter your email"):
        alumni.request_invitation("not an email")


def test_joining_by_email_without_smtp_points_to_hr(admin):
    with pytest.raises(ValidationError, match="does not send email"):
        alumni.request_invitation("ada@example.com")
