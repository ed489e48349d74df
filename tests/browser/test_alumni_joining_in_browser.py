"""An admin imports the alumni roster and invites it in Chromium; an alumnus registers
through an invitation link and lands on My referrals."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from services.demo import DEMO_PASSWORD
from services.people import sign_in as accounts_sign_in
from services.referrals import roster as alumni
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in, upload

CSV = ("name,email,department,last_day,linkedin_url\n"
       "Ada Lovelace,ada@example.com,Engineering,2024-06-30,https://www.linkedin.com/in/ada\n"
       "Grace Hopper,grace@example.com,Research,2023-12-31,\n"
       "No Address,not-an-email,Sales,,\n")


def test_admin_invites_the_roster_and_an_alumnus_registers(demo_db, app_url, page: Page, browser,
                                                           tmp_path):
    file = tmp_path / "alumni.csv"
    file.write_text(CSV)
    sign_in(page, app_url, "admin@example.com")
    sidebar_nav(page).get_by_role("link", name="Alumni roster").click()
    expect(page.get_by_role("heading", name="Alumni roster")).to_be_visible()
    page.get_by_text("Import from CSV").click()
    upload(page, file)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Added 2 people.")).to_be_visible()
    expect(page.get_by_text("Left out 1 row.")).to_be_visible()
    page.get_by_role("button", name="Invite everyone not invited yet").click()
    expect(page.get_by_text("Not emailed, as no SMTP server is set: 2 invitations.")).to_be_visible()
    settle(page)
    screenshot(page, "admin-alumni-roster")

    # The admin forwards Ada's link (a new one, as the table's links are canvas text).
    admin = accounts_sign_in.with_password("admin@example.com", DEMO_PASSWORD)
    ada = alumni.list_roster(admin, search="ada@").rows[0]
    link = alumni.send_invitations(admin, [ada.id]).invitations[0].link
    token = parse_qs(urlparse(link).query)["invite"][0]

    visitor = browser.new_page(viewport={"width": 1400, "height": 900})
    visitor.goto(f"{app_url}/register?invite={token}")
    expect(visitor.get_by_text("Welcome back, Ada Lovelace")).to_be_visible()
    visitor.get_by_label("Password (at least 10 characters)").fill("a long password")
    visitor.get_by_label("Password again").fill("a different one")
    visitor.get_by_role("button", name="Register").click()
    expect(visitor.get_by_text("The two passwords differ")).to_be_visible()
    settle(visitor)
    screenshot(visitor, "alumnus-register")
    visitor.get_by_label("Password again").fill("a long password")
    visitor.get_by_role("button", name="Register").click()
    expect(visitor.get_by_role("heading", name="My referrals")).to_be_visible()
    visitor.close()
