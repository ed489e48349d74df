"""Connecting the company's LinkedIn page in Chromium, against a local stand-in of LinkedIn's
OAuth and API (tests/fake_networks.py) over real HTTP: the admin presses Connect on Admin →
Social channels, consents at the stand-in, comes back signed in to the channel's page with
the page connected, and the token is stored encrypted; Disconnect revokes it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in, streamlit_server
from tests.fake_networks import FakeNetwork, running_network
from tests.support import free_port


@pytest.fixture(scope="module")
def oauth_app_url(browser):
    with running_network() as network:
        port = free_port()
        env = {"LINKEDIN_CLIENT_ID": "li-app", "LINKEDIN_CLIENT_SECRET": "li-secret",
               "LINKEDIN_OAUTH_URL": network, "LINKEDIN_API_URL": network,
               "PORTAL_TOKEN_KEY": Fernet.generate_key().decode(),
               "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        with streamlit_server(env=env, port=port, log_name="streamlit-oauth-server") as url:
            warm_up = browser.new_page()  # as app_url does: a first run calls deep links unknown
            warm_up.goto(url)
            settle(warm_up)
            warm_up.close()
            yield url


def test_an_admin_connects_and_disconnects_the_company_linkedin_page(demo_db, oauth_app_url, page: Page):
    sign_in(page, oauth_app_url, "admin@example.com")
    sidebar_nav(page).get_by_text("Social channels").click()
    expect(page.get_by_role("heading", name="Social channels")).to_be_visible()
    settle(page)
    page.get_by_role("combobox", name="Channel", exact=True).click()
    page.get_by_role("option", name="LinkedIn", exact=True).click()
    settle(page)
    connect = page.get_by_role("link", name="Connect the company's LinkedIn page")
    with page.context.expect_page() as opened:  # a link button opens a tab of its own
        connect.click()
    tab = opened.value
    expect(tab.get_by_text("Page “Acme <b>Careers</b> **now**” connected to LinkedIn.")).to_be_visible()
    expect(tab.get_by_text("connected: Acme <b>Careers</b> **now**")).to_be_visible()
    settle(tab)
    screenshot(tab, "admin-linkedin-page-connected")
    [access] = FakeNetwork.access
    assert access not in tab.content()
    with demo_db.connect() as conn:
        row = conn.execute(sa.text("select to_jsonb(k) from private.channel_connections k")).scalar_one()
    assert row["account_id"] == "urn:li:organization:42" and access not in json.dumps(row)

    tab.get_by_role("button", name="Disconnect the LinkedIn page").click()
    said = "LinkedIn page “Acme <b>Careers</b> **now**” disconnected; LinkedIn revoked"
    expect(tab.get_by_text(said)).to_be_visible()
    assert access in FakeNetwork.revoked


def test_a_callback_nobody_began_is_refused_in_words(oauth_app_url, page: Page):
    page.goto(f"{oauth_app_url}/oauth/linkedin/callback?code=stolen&state=made-up")
    expect(page.get_by_role("heading", name="The page was not connected")).to_be_visible()
    expect(page.get_by_text("does not match a connection begun here")).to_be_visible()
