"""Pages on a phone (390×844, issue 18), in Chromium on the demo data: the candidate's board,
a job's page, its application form after a failed submit (each problem under its field, what
was typed kept), Q&A with a failed question and the follow page; then an alumna's, a
recruiter's and an admin's main pages, signed in. Each is screenshotted
(tests/browser/screenshots/phone-*.png); none scrolls sideways or cuts a word short."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, phone_screen, screenshot, settle, sign_in

BACKEND = "Senior Backend Engineer (Python)"


def test_the_candidates_pages_fit_a_phone(demo_db, app_url, browser):
    with demo_db.connect() as conn:
        job_id = conn.execute(sa.text("select id from public.jobs where title = :t"),
                              {"t": BACKEND}).scalar_one()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{app_url}/")
        expect(page.get_by_role("heading", name=BACKEND)).to_be_visible()
        expect(page.get_by_role("link", name="Read the answers")).to_be_attached()  # the page's end
        phone_screen(page, "board")

        page.goto(f"{app_url}/job?id={job_id}")
        expect(page.get_by_role("heading", name=BACKEND)).to_be_visible()
        expect(page.get_by_role("button", name="Send application")).to_be_attached()
        phone_screen(page, "job")
        # On a phone the form is under the whole description: a link at the top goes to it.
        page.get_by_role("link", name="Apply for this job").click()
        expect(page.get_by_role("heading", name="Apply", exact=True)).to_be_in_viewport()
        expect(page.get_by_label("Full name")).to_be_in_viewport()
        screenshot(page, "phone-job-apply-link")

        # A failed submit: every problem at the top and under its field, nothing typed lost.
        page.get_by_label("Full name").fill("Ada Lovelace")
        page.get_by_label("Email").fill("ada-at-example.org")
        page.get_by_label("Phone (optional)").fill("call me")
        page.get_by_role("button", name="Send application").click()
        expect(page.get_by_text("Fix these and try again")).to_be_visible()
        settle(page)
        for problem in ("is not a valid email address", "does not look like a phone number",
                        "agree to the privacy notice"):
            expect(page.get_by_text(problem)).to_have_count(2)  # in the box and under the field
        # where the phone is (at the button), a word that nothing was sent
        expect(page.get_by_text("fix the 3 problems shown above")).to_be_in_viewport()
        expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")
        expect(page.get_by_label("Phone (optional)")).to_have_value("call me")
        phone_screen(page, "apply-failed")

        page.get_by_label("Email").fill("ada@example.org")
        page.get_by_label("Phone (optional)").fill("")
        page.get_by_text("I have read the privacy notice").click()
        page.get_by_role("button", name="Send application").click()
        expect(page.get_by_text("your application has been received")).to_be_visible()
        phone_screen(page, "applied")
        link = page.locator("code").filter(has_text="/follow?application=").inner_text().strip()

        page.goto(f"{app_url}/questions")
        expect(page.get_by_role("heading", name="Questions & answers")).to_be_visible()
        expect(page.get_by_role("heading", name="About working here")).to_be_attached()
        phone_screen(page, "questions")
        page.get_by_placeholder("Can I work remotely", exact=False).fill("Visa?")
        page.get_by_role("textbox", name="Email for the answer (optional)").fill("nope")
        page.get_by_role("button", name="Ask", exact=True).click()
        expect(page.get_by_text("Fix these and try again")).to_be_visible()
        expect(page.get_by_text("is not a valid email address")).to_have_count(2)
        phone_screen(page, "question-failed")

        page.goto(app_url + "/follow?" + link.split("?", 1)[1])
        expect(page.get_by_text("Received")).to_be_visible()
        expect(page.get_by_test_id("stPageLink-NavLink").filter(has_text="Open jobs")).to_be_attached()
        phone_screen(page, "follow")
    finally:
        context.close()


def test_an_alumnas_pages_fit_a_phone(demo_db, app_url, browser):
    """Alumni hear of a job and refer from their phone as often as candidates apply on one:
    each of their pages, signed in at phone width, fits and cuts nothing short."""
    with demo_db.connect() as conn:
        referral = conn.execute(sa.text(
            "select r.id from public.referrals r join public.profiles p on p.id = r.referrer_id"
            " where p.email = 'priya@example.com' order by r.created_at desc limit 1")).scalar_one()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, app_url, "priya@example.com")
        for path, heading, name in (("my-referrals", "My referrals", "my-referrals"),
                                    (f"referral?id={referral}", None, "referral"),
                                    ("refer", "Refer someone", "refer"),
                                    ("leaderboard", "Leaderboard", "leaderboard"),
                                    ("job-digests", "Job digests", "job-digests"),
                                    ("account", "My account", "account")):
            page.goto(f"{app_url}/{path}")
            if heading:
                expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            else:
                expect(page.get_by_role("link", name="My referrals").first).to_be_visible()
            phone_screen(page, f"alumna-{name}")
    finally:
        context.close()


def _walk(page, app_url: str, role: str, screens) -> list[str]:
    """Open each (path, heading) at phone width and check it with phone_screen; every page's
    problem is collected, so that one run names them all."""
    failures = []
    for path, heading in screens:
        page.goto(f"{app_url}/{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        try:
            phone_screen(page, f"{role}-{path.split('?')[0]}")
        except AssertionError as problem:
            failures.append(str(problem).splitlines()[0])
    return failures


def test_a_recruiters_pages_fit_a_phone(demo_db, app_url, browser):
    """A recruiter answers a question, moves a referral or approves a post from their phone:
    each of their main pages, signed in at phone width, fits and cuts nothing short (tables
    scroll inside themselves)."""
    with demo_db.connect() as conn:
        job_id = conn.execute(sa.text("select id from public.jobs where title = :t"),
                              {"t": BACKEND}).scalar_one()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, app_url, "recruiter@example.com")
        failures = _walk(page, app_url, "recruiter", (
            ("overview", "Recruiting overview"),
            ("postings", "Job postings"),
            (f"posting?id={job_id}", BACKEND),
            ("inbox", "Questions inbox"),
            ("referrals", "Referrals"),
            ("candidates", "Candidates"),
            ("post-approvals", "Post approvals"),
            ("post-calendar", "Posting calendar"),
            ("post-performance", "Post performance"),
            ("savings", "Savings"),
        ))
        assert not failures, "\n".join(failures)
    finally:
        context.close()


def test_an_admins_pages_fit_a_phone(demo_db, app_url, browser):
    """The admin's own pages, signed in at phone width: each fits and cuts nothing short."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, app_url, "admin@example.com")
        failures = _walk(page, app_url, "admin", (
            ("users", "Users"),
            ("alumni-roster", "Alumni roster"),
            ("hiring-stages", "Hiring stages"),
            ("social-channels", "Social channels"),
            ("privacy", "Privacy & data"),
        ))
        assert not failures, "\n".join(failures)
    finally:
        context.close()
