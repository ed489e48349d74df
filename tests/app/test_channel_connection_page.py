"""Admin → Social channels, the company page of a LinkedIn channel: what to configure when the
portal has no LinkedIn app, the Connect button leading to the web layer's connect route, a
connected page shown by its name (never its token), the notice after coming back from
LinkedIn, and Disconnect."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from portal import secret_box
from portal.settings import settings
from services.social import channels as social_channels
from services.social import connections
from tests.app.helpers import assert_no_exception, open_page, signed_in, texts

CHANNELS = "pages/admin/social_channels.py"
TOKEN = "AQX-the-access-token-itself"


@pytest.fixture
def linkedin_channel(demo_db):
    with demo_db.begin() as conn:
        conn.execute(sa.text("truncate public.social_posts, public.social_channels cascade"))
    return social_channels.add_channel(signed_in("admin@example.com"), "Company LinkedIn", "linkedin",
                                       "external")


@pytest.fixture
def configured(monkeypatch):
    config = replace(settings(), public_url="https://jobs.example.test", linkedin_client_id="li-app",
                     linkedin_client_secret="li-secret", token_key=Fernet.generate_key().decode())
    monkeypatch.setattr(connections, "settings", lambda: config)
    return config


def test_without_a_linkedin_app_the_page_says_what_to_configure(linkedin_channel, monkeypatch):
    monkeypatch.setattr(connections, "settings", lambda: replace(settings(), public_url="https://jobs.example.test"))
    at = open_page(CHANNELS, signed_in("admin@example.com"))
    shown = texts(at)
    assert "**LinkedIn page** — not connected" in shown
    for name in ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET", "PORTAL_TOKEN_KEY",
                 "https://jobs.example.test/oauth/linkedin/callback", "docs/operations.md"):
        assert name in shown
    assert not at.link_button


def test_the_connect_button_leads_to_the_connect_route(linkedin_channel, configured):
    at = open_page(CHANNELS, signed_in("admin@example.com"))
    [button] = at.link_button
    assert button.value == "Connect the company's LinkedIn page"
    assert button.proto.url == f"/oauth/linkedin/connect?channel={linkedin_channel}"


def _connected(engine, channel, config) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(
            "insert into private.channel_connections (channel_id, account_id, account_name, access_token,"
            " refresh_token, expires_at, choices) values (:c, 'urn:li:organization:42', 'Acme Careers', :a,"
            " :r, :e, cast(:choices as jsonb))"),
            {"c": channel, "a": secret_box.seal(TOKEN, config), "r": secret_box.seal("refresh-me", config),
             "e": datetime.now(UTC) + timedelta(days=60),
             "choices": json.dumps([{"id": "urn:li:organization:42", "name": "Acme Careers", "token": None},
                                    {"id": "urn:li:organization:43", "name": "Acme *Engineering*",
                                     "token": None}])})


def test_a_connected_page_is_shown_by_name_and_disconnected(demo_db, linkedin_channel, configured,
                                                             monkeypatch):
    _connected(demo_db, linkedin_channel, configured)
    revoked = []
    monkeypatch.setattr(connections, "_revoke", lambda network, token, config: revoked.append(token) or True)
    at = open_page(CHANNELS, signed_in("admin@example.com"), connected=str(linkedin_channel))
    shown = texts(at)
    assert "Page “Acme Careers” connected to Company LinkedIn." in shown
    assert "connected: Acme Careers" in shown and "renewed by the worker" in shown
    assert TOKEN not in shown and "refresh-me" not in shown
    assert "Automatically (as Acme Careers)" in at.dataframe[0].value.to_string()
    [post_as] = [box for box in at.selectbox if box.label.startswith("Post as")]
    assert post_as.options == ["Acme Careers", "Acme *Engineering*"]
    assert post_as.value == "urn:li:organization:42"
    post_as.set_value("urn:li:organization:43")
    at.button(key=f"FormSubmitter:channel:{linkedin_channel}:post-as-Post as this page").click().run()
    assert_no_exception(at)
    assert "Posts on Company LinkedIn now go out as Acme *Engineering*." in texts(at)
    assert connections.shown(signed_in("admin@example.com"))[linkedin_channel].account_id == \
        "urn:li:organization:43"
    at.button(key=f"channel:{linkedin_channel}:disconnect").click().run()
    assert_no_exception(at)
    said = "LinkedIn page “Acme *Engineering*” disconnected; LinkedIn revoked the portal's access."
    assert said in texts(at)
    assert revoked == ["refresh-me", TOKEN]
    assert "**LinkedIn page** — not connected" in texts(at)
