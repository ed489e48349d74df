"""Single sign-on for staff in Chromium, against a real OpenID Connect provider on localhost
(oidc-provider-mock): the provider's verified email signs in the portal account with that
address; an address without a staff account signs nobody in and says why; signing out of the
portal forgets the provider's identity too."""

from __future__ import annotations

import re

import pytest
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, streamlit_server
from tests.support import free_port

PEOPLE = [User(sub="jordan", claims={"email": "recruiter@example.com", "email_verified": True,
                                     "name": "Jordan Rivera"}),
          User(sub="priya", claims={"email": "priya@example.com", "email_verified": True}),
          User(sub="unverified", claims={"email": "admin@example.com", "email_verified": False})]


@pytest.fixture(scope="module")
def sso_app_url(tmp_path_factory, browser):
    with run_server_in_thread(user_claims=PEOPLE) as provider:
        port = free_port()
        secrets = tmp_path_factory.mktemp("sso") / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-cookie-secret-for-tests-only-0123456789"\n'
            'client_id = "boomerang"\n'
            'client_secret = "boomerang-test-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"\n')
        with streamlit_server(env={"STREAMLIT_SECRETS_FILES": str(secrets)}, port=port,
                              log_name="streamlit-sso-server") as url:
            warm_up = browser.new_page()  # as app_url does: a first run calls deep links unknown
            warm_up.goto(url)
            settle(warm_up)
            warm_up.close()
            yield url


def sign_in_with_provider(page: Page, app_url: str, who: str) -> None:
    page.goto(f"{app_url}/sign-in")
    page.get_by_role("button", name="Sign in with your company account").click()
    page.get_by_role("button", name=who, exact=True).click()  # the provider's own page


def test_a_recruiter_signs_in_with_the_company_account_and_out_again(demo_db, sso_app_url, page: Page):
    sign_in_with_provider(page, sso_app_url, "jordan")
    expect(page).to_have_url(f"{sso_app_url}/overview")  # staff land on Overview
    expect(page.get_by_text("Signed in as")).to_contain_text("Jordan Rivera")
    page.reload()  # the portal's own session cookie, as with a password
    expect(page.get_by_role("heading", name="Recruiting overview")).to_be_visible()
    settle(page)
    screenshot(page, "sso-recruiter-overview")

    page.get_by_role("button", name="Sign out").click()
    # Streamlit forgets the provider's identity and asks the provider to end it too.
    page.wait_for_url(re.compile(r"/oauth2/end_session"))
    assert not [c["name"] for c in page.context.cookies()
                if c["name"].startswith(("_streamlit_user", "boomerang_session"))]
    page.goto(sso_app_url)
    expect(sidebar_nav(page)).to_contain_text("Sign in")
    expect(page.get_by_text("Signed in as")).to_have_count(0)


@pytest.mark.parametrize(("who", "says"), [
    # The address is shown as text: a word joiner after "@" keeps Markdown from linking it.
    ("priya", re.compile("No active staff or employee account has the address priya@\u2060?example.com")),
    ("unverified", "email address is not verified"),
], ids=["an-alumna", "unverified"])
def test_a_company_account_without_a_staff_account_signs_nobody_in(demo_db, sso_app_url, page: Page,
                                                                   who, says):
    sign_in_with_provider(page, sso_app_url, who)
    expect(page.get_by_text(says)).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    settle(page)
    screenshot(page, f"sso-refused-{who}")
    page.get_by_role("button", name="Sign out of that company account").click()
    page.wait_for_url(re.compile(r"/oauth2/end_session"))
    page.goto(f"{sso_app_url}/sign-in")
    expect(page.get_by_role("button", name="Sign in with your company account")).to_be_visible()
