"""A candidate creates their own account in Chromium (issue 16): "Create a candidate
account" on Sign in, the confirmation link read from the server's log (no SMTP here: the
console mail of a developer's machine), the link opened, then signing in lands on My
applications with the applications made with that email before."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, server_log, settle


def test_a_candidate_signs_up_confirms_by_the_emailed_link_and_follows_their_applications(
        demo_db, app_url, page: Page):
    with demo_db.connect() as conn:  # a demo applicant without an account
        applicant = conn.execute(sa.text(
            "select c.email, c.full_name, min(j.title) as job from public.candidates c"
            " join public.applications a on a.candidate_id = c.id join public.jobs j on j.id = a.job_id"
            " where c.user_id is null group by c.id order by c.email limit 1")).one()
    log = server_log("streamlit-server")
    logged_before = log.stat().st_size

    page.context.clear_cookies()
    page.goto(f"{app_url}/sign-in")
    page.get_by_role("link", name="Create a candidate account").click()
    expect(page.get_by_role("heading", name="Create a candidate account")).to_be_visible()
    settle(page)
    page.get_by_role("textbox", name="Your name").fill(applicant.full_name)
    page.get_by_role("textbox", name="Email").fill(applicant.email)
    page.get_by_role("textbox", name="Password (at least 10 characters)").fill("a long password")
    page.get_by_role("textbox", name="Password again").fill("a different one")
    page.get_by_role("button", name="Email me a confirmation link").click()
    expect(page.get_by_text("The two passwords differ").first).to_be_visible()
    page.get_by_role("textbox", name="Password again").fill("a long password")
    page.get_by_role("button", name="Email me a confirmation link").click()
    expect(page.get_by_text("a link to confirm the address. Your account is created")).to_be_visible()
    settle(page)
    screenshot(page, "candidate-sign-up-sent")

    with log.open(errors="replace") as text:
        text.seek(logged_before)
        link = re.search(r"http\S+/confirm-email\?token=[A-Za-z0-9_-]+", text.read()).group(0)
    page.goto(app_url + link[link.index("/confirm-email"):])  # the server's own address
    expect(page.get_by_text("your account is ready")).to_be_visible()
    expect(page).to_have_url(f"{app_url}/confirm-email")  # the token left the address bar
    settle(page)
    screenshot(page, "candidate-email-confirmed")

    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_role("textbox", name="Email").fill(applicant.email)
    page.get_by_role("textbox", name="Password").fill("a long password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{app_url}/my-applications")
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()  # a canvas: its rows are checked below
    expect(page.get_by_text("You have not applied")).to_have_count(0)
    settle(page)
    screenshot(page, "candidate-my-applications-after-sign-up")
    with demo_db.connect() as conn:  # the earlier applications are now the account's
        assert conn.execute(sa.text(
            "select p.role from public.candidates c join public.profiles p on p.id = c.user_id"
            " where c.email = :email"), {"email": applicant.email}).scalar() == "candidate"
