"""With email set up, an admin's invitations and a recruiter's digest are queued and sent by
the worker; the roster and the outreach page show how each went (Chromium, a real SMTP
server on this machine)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal import mail, task_queue
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in, streamlit_server, upload
from tests.support import in_a_thread

CSV = ("name,email,department\nAda Lovelace,ada@example.com,Engineering\n"
       "Grace Hopper,grace@example.com,Research\n")


def test_invitations_and_a_digest_are_queued_then_sent(demo_db, smtp, page: Page,
                                                        tmp_path):
    config = mail.settings()  # the fixture's: the same server for the app and the worker
    env = {"SMTP_HOST": config.smtp_host, "SMTP_PORT": str(config.smtp_port), "SMTP_STARTTLS": "false"}
    file = tmp_path / "alumni.csv"
    file.write_text(CSV)
    with streamlit_server(env, log_name="streamlit-outreach-mail") as app_url:
        page.goto(app_url)
        settle(page)
        sign_in(page, app_url, "admin@example.com")
        sidebar_nav(page).get_by_role("link", name="Alumni roster").click()
        page.get_by_text("Import from CSV").click()
        upload(page, file)
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_text("Added 2 people.")).to_be_visible()
        page.get_by_role("button", name="Invite everyone not invited yet").click()
        expect(page.get_by_text("Queued 2 invitation emails")).to_be_visible()
        assert smtp.messages == []

        smtp.script = [None, "550 5.1.1 unknown"]  # Grace's address is refused
        in_a_thread(task_queue.run, wait=False)
        page.get_by_label("Search the roster").fill("example")
        page.keyboard.press("Enter")
        settle(page)
        screenshot(page, "admin-alumni-roster-emails")
        assert len(smtp.messages) == 1

        sidebar_nav(page).get_by_role("link", name="Alumni outreach").click()
        expect(page.get_by_role("heading", name="Alumni outreach", exact=True)).to_be_visible()
        page.get_by_test_id("stMultiSelect").click()
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
        expect(page.get_by_role("heading", name="Preview:")).to_be_visible()
        # The note reaches the server when its field loses focus: here, on the button's click.
        page.get_by_label("A note at the top (optional)").fill("New roles this month")
        page.get_by_role("button", name="Send digest").click()
        expect(page.get_by_text("queued for sending")).to_be_visible()
        settle(page)
        in_a_thread(task_queue.run, wait=False)
        page.get_by_role("tab", name="Would come back").click()
        page.get_by_role("tab", name="Job digest").click()
        # While a rerun ends, Streamlit may still show the last run's heading beside the new
        # one: wait until only one is left.
        sent_before = page.get_by_role("heading", name="Sent before")
        expect(sent_before).to_have_count(1)
        sent_before.scroll_into_view_if_needed()
        screenshot(page, "recruiter-alumni-outreach-emails")
        assert len(smtp.messages) == 1 + 8  # Ada's invitation, the digest to the demo's 8 active alumni
        assert all("New roles this month" in body for body in smtp.bodies()[1:])
