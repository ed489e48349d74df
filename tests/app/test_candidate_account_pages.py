"""A candidate's own account through AppTest (issue 16): "Create a candidate account" on
Sign in, the form with its problems under each field, the link that confirms the email,
My applications afterwards; and applying through a referral link, which asks the
applicant to confirm before the referrer is credited."""

from __future__ import annotations

import sqlalchemy as sa

from services.people import sign_in
from services.referrals import submission as referring
from tests.app.helpers import (
    app_as,
    assert_errors,
    assert_no_exception,
    demo_job_id,
    open_page,
    problem_under,
    signed_in,
    text_field,
    texts,
)
from tests.db.rows import confirmation_token

SEND = "FormSubmitter:sign-up-Email me a confirmation link"


def _fill(at, name="Grace Hopper", email="grace@example.org", password="a long password",
          again="a long password"):
    text_field(at, "Your name").input(name)
    text_field(at, "Email").input(email)
    text_field(at, "Password (at least 10 characters)").input(password)
    text_field(at, "Password again").input(again)
    at.button(key=SEND).click().run()


def test_sign_in_offers_a_candidate_account(demo_db):
    at = open_page("pages/public/sign_in.py")
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    assert links["Create a candidate account"] == "create-account"


def test_signing_up_shows_every_problem_under_its_field_and_keeps_what_was_typed(demo_db):
    at = open_page("pages/public/create_account.py")
    _fill(at, name="", email="not an email", password="short", again="short")
    assert_errors(at, "not a valid email address")
    assert "Enter a name" in problem_under(at, "Your name")
    assert "at least 10" in problem_under(at, "Password (at least 10 characters)")
    assert text_field(at, "Email").value == "not an email"
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from private.email_confirmations")).scalar() == 0


def test_a_candidate_signs_up_confirms_and_sees_their_applications(demo_db):
    with demo_db.connect() as conn:  # a demo candidate without an account, who applied before
        applicant = conn.execute(sa.text(
            "select c.email, c.full_name, count(*) as applied from public.candidates c"
            " join public.applications a on a.candidate_id = c.id where c.user_id is null"
            " group by c.id order by c.email limit 1")).one()
    at = open_page("pages/public/create_account.py")
    _fill(at, name=applicant.full_name, email=applicant.email)
    assert_no_exception(at)
    assert f"emailed {applicant.email} a link" in texts(at)

    at = open_page("pages/public/confirm_email.py", token=confirmation_token(demo_db, applicant.email))
    assert "your account is ready" in texts(at)
    assert "token" not in at.query_params  # gone from the address bar
    at.run()  # a rerun does not use the link again, nor say it is spent
    assert "your account is ready" in texts(at)

    actor = sign_in.with_password(applicant.email, "a long password")
    at = open_page("pages/candidate/my_applications.py", actor)
    assert len(at.dataframe[0].value) == applicant.applied


def test_a_used_or_made_up_link_says_what_to_do(demo_db):
    at = open_page("pages/public/confirm_email.py", token="made-up-token-0123456789",
                   expected_errors=("not valid",))
    assert "Create a candidate account" in str([link.proto.label for link in at.get("page_link")])


def test_applying_through_a_referral_link_asks_to_confirm_and_offers_an_account(demo_db):
    job_id = demo_job_id(demo_db)
    code = referring.my_links(signed_in("priya@example.com")).code
    at = open_page("pages/public/job.py", id=str(job_id), utm_source="referral", ref=code)
    form = f"apply:{job_id}"
    at.text_input[0].input("Vic Tim")
    at.text_input[1].input("vic.tim@example.org")
    at.checkbox[0].check()
    at.button(key=f"FormSubmitter:{form}-Send application").click().run()
    assert_no_exception(at)
    assert "your referrer is credited once you open it" in texts(at)
    with demo_db.connect() as conn:
        assert conn.execute(sa.text(
            "select r.outcome from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " where c.email = 'vic.tim@example.org'")).scalar() == "pending"
    at.button[0].click().run()  # "Create an account to follow your applications"
    assert_no_exception(at)
    assert text_field(at, "Email").value == "vic.tim@example.org"
    assert text_field(at, "Your name").value == "Vic Tim"


def test_signed_in_people_are_sent_on_from_the_sign_up_page(demo_db):
    at = app_as(signed_in("priya@example.com")).run()
    at.switch_page("pages/public/create_account.py").run()
    assert "Create a candidate account" not in texts(at)
