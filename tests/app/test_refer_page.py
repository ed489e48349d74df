"""The "Refer someone" page through AppTest: bad input is refused with what to fix and
nothing typed is lost; a referral is received, the privacy notice is shown to forward
(no SMTP in tests), a second referral of the same person is told politely; the links."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.app.helpers import (
    app_as,
    as_read,
    assert_errors,
    assert_no_exception,
    problem_under,
    signed_in,
    texts,
)

PAGE = "pages/referrer/refer.py"


def open_refer(email: str):
    at = app_as(signed_in(email)).run()
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    return at


def fill(at, *, email="grace.hopper@example.org", agreed=True):
    at.text_input[0].input("Grace Hopper")
    at.text_input[1].input(email)
    at.text_input[2].input("linkedin.com/in/grace-hopper")
    at.text_area[0].input("We built compilers together.")
    at.text_area[1].input("She explains hard things simply and ships.")
    if agreed:
        at.checkbox[0].check()
    return at


def send(at):
    next(b for b in at.button if b.label == "Send referral").click().run()
    return at


def test_refer_form_refuses_bad_input_and_keeps_what_was_typed(demo_db):
    at = send(fill(open_refer("priya@example.com"), email="grace at example", agreed=False))
    # both problems at once, in one box
    assert_errors(at, "“grace at example” is not a valid email address")
    assert len(at.error) == 1 and "confirm that the candidate agreed" in at.error[0].value
    assert at.text_input[0].value == "Grace Hopper"
    assert at.text_area[1].value == "She explains hard things simply and ships."
    assert "not a valid email address" in problem_under(at, "Their email")
    assert "confirm that the candidate agreed" in problem_under(
        at, "They agreed to be referred and to us contacting them.")
    assert problem_under(at, "Their full name") is None
    at.text_input[1].input("grace.hopper@example.org")
    send(at)
    assert_errors(at, "confirm that the candidate agreed")
    assert at.text_input[1].value == "grace.hopper@example.org"
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.candidates"
                                    " where email = 'grace.hopper@example.org'")).scalar() == 0


def test_an_empty_referral_says_every_problem_under_its_field(demo_db):
    at = send(open_refer("priya@example.com"))
    assert_errors(at, "Enter a name.")
    expected = {"Their full name": "Enter a name.", "Their email": "Enter an email address.",
                "How you know them": "How you know them: this is required.",
                "Why they fit": "Why they fit: this is required.",
                "They agreed to be referred and to us contacting them.": "confirm that the candidate agreed"}
    for label, problem in expected.items():
        assert problem in (problem_under(at, label) or ""), label
    assert len(at.error) == 1 and all(problem in as_read(at.error[0].value) for problem in expected.values())
    assert "Nothing was sent: fix the 5 problems shown above" in texts(at)


def test_a_referral_is_received_and_a_second_is_told_politely(demo_db):
    at = open_refer("priya@example.com")
    jobs = at.selectbox[0].options
    assert jobs[0] == "Open to anything" and len(jobs) > 1
    at.selectbox[0].select_index(1)
    send(fill(at))
    assert_no_exception(at)
    page = texts(at)
    assert "Your referral has been received" in page
    assert "forward this privacy notice" in page
    notice = at.code[0].value
    assert "Dear Grace Hopper" in notice and "Priya" in notice and "Northwind Analytics" in notice
    assert "confirm-email" not in notice and "a recruiter confirms it" in page  # Priya cannot confirm
    with demo_db.begin() as conn:  # Grace confirms (with a recruiter): Priya's referral now owns her
        conn.execute(sa.text(
            "select private.confirm_pending_referral(r.id) from public.referrals r"
            " join public.candidates c on c.id = r.candidate_id where c.email = 'grace.hopper@example.org'"))

    at = send(fill(open_refer("tom@example.com"), email="GRACE.HOPPER@example.org"))
    assert "already been referred by someone else" in texts(at)
    assert not [c for c in at.code if "Dear" in c.value]  # no second notice
    with demo_db.connect() as conn:
        outcomes = conn.execute(sa.text(
            "select r.outcome from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " where c.email = 'grace.hopper@example.org' order by r.created_at")).scalars().all()
    assert outcomes == ["owner", "duplicate"]


def test_the_page_lists_the_referrers_links(demo_db):
    at = open_refer("tom@example.com")
    links = [c.value for c in at.code]
    assert any("/?ref=" in link for link in links)
    with demo_db.connect() as conn:
        open_jobs = conn.execute(sa.text(
            "select count(*) from public.jobs where status = 'published'")).scalar()
    assert len([link for link in links if re.search(r"/r/[A-Za-z0-9]{7}$", link)]) == open_jobs
