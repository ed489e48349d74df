"""Connecting a company page through the network's OAuth 2, end to end over real HTTP against a
local stand-in of LinkedIn (authorize, token, refresh, revoke, the organisation lookup and
the Posts API), of X (the same, with PKCE) and of Facebook (the user's token traded for the
page's, the grant revoked with the app's token): the Connect route leads to the consent screen
with a state, the callback refuses a wrong, expired or someone else's state in words, the
tokens are stored encrypted, the worker refreshes them before they expire, disconnecting
revokes them, and a post the worker publishes uses the connected page's token."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal import task_queue
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor
from portal.settings import Settings
from services import background_tasks
from services.people import sessions
from services.social import channels, connections, posts, review
from services.social import delivery as social_delivery
from tests.fake_networks import FakeNetwork, running_network
from web import routes

CALLBACK = "https://jobs.example.test/oauth/{network}/callback"


@pytest.fixture
def network():
    with running_network() as base:
        yield base


@dataclass
class Setup:
    config: Settings
    base: str


@pytest.fixture
def setup(network, monkeypatch) -> Setup:
    config = Settings(public_url="https://jobs.example.test", publish_timeout=3.0,
                      linkedin_client_id="li-app", linkedin_client_secret="li-secret",
                      linkedin_oauth_url=network, linkedin_api_url=network,
                      x_client_id="x-app", x_client_secret="x-secret", x_oauth_url=network,
                      x_api_url=network, facebook_app_id="fb-app", facebook_app_secret="fb-secret",
                      facebook_oauth_url=network, facebook_graph_url=f"{network}/v21.0",
                      token_key=Fernet.generate_key().decode())
    monkeypatch.setattr(connections, "settings", lambda: config)
    return Setup(config, network)


def browser(actor: Actor) -> TestClient:
    """A browser signed in as `actor` (its session cookie), speaking to the web layer's routes."""
    token = sessions.open_session(sessions.hand_off(actor))
    return TestClient(Starlette(routes=routes.ROUTES), follow_redirects=False,
                      base_url="https://jobs.example.test", cookies={sessions.COOKIE: token})


def connect(client: TestClient, channel, network: str = "linkedin") -> httpx.Response:
    """Press Connect, consent at the stand-in (real HTTP), come back to the callback."""
    started = client.get(connections.connect_path(network, channel))
    assert started.status_code == 302, started.text
    consent = httpx.get(started.headers["location"], follow_redirects=False)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK.format(network=network)
    return client.get(f"{back.path}?{back.query}")


def stored(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text("select * from private.channel_connections"))]


# --- connecting -----------------------------------------------------------------------------------

def _authorize_query(client: TestClient, channel, network: str) -> dict[str, list[str]]:
    """What the Connect route asks the network's consent screen."""
    started = client.get(connections.connect_path(network, channel))
    return parse_qs(urlsplit(started.headers["location"]).query)


def test_connect_leads_to_the_authorize_url_with_a_state(team, setup):
    started = browser(team.admin).get(connections.connect_path("linkedin", team.channel))
    assert started.status_code == 302
    target = urlsplit(started.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{setup.base}/oauth/v2/authorization"
    assert query["response_type"] == "code" and query["client_id"] == "li-app"
    assert query["redirect_uri"] == CALLBACK.format(network="linkedin")
    assert query["scope"] == "r_organization_admin w_organization_social"
    assert len(query["state"]) >= 40  # unguessable
    assert "code_challenge" not in query  # LinkedIn's web apps use the client secret, not PKCE


def test_an_admin_connects_a_linkedin_page_and_its_tokens_are_stored_encrypted(clean_db, team, setup):
    finished = connect(browser(team.admin), team.channel)
    assert finished.status_code == 303
    assert finished.headers["location"] == f"/social-channels?connected={team.channel}"
    [row] = stored(clean_db)
    assert row["account_id"] == "urn:li:organization:42"
    assert row["account_name"] == "Acme <b>Careers</b> **now**"
    [access] = FakeNetwork.access
    refresh = FakeNetwork.access[access]
    everything = json.dumps(row, default=str)
    assert access not in everything and refresh not in everything  # encrypted at rest
    assert "secret" not in everything
    assert connections.shown(team.admin)[team.channel].account_name == "Acme <b>Careers</b> **now**"
    # Nobody signed in reads the table, nor a token through what staff may see.
    for who in (team.admin, team.recruiter):
        shown = connections.shown(who)[team.channel]
        assert access not in repr(shown) and not hasattr(shown, "access_token")


def test_an_admin_of_several_pages_chooses_which_one_posts(clean_db, team, setup):
    connect(browser(team.admin), team.channel)
    shown = connections.shown(team.admin)[team.channel]
    assert shown.account_id == "urn:li:organization:42"
    assert shown.choices == (("urn:li:organization:42", "Acme <b>Careers</b> **now**"),
                             ("urn:li:organization:43", "Acme Engineering"))
    with pytest.raises(PermissionDenied):
        connections.post_as(team.publisher, team.channel, "urn:li:organization:43")
    with pytest.raises(ValidationError, match="choose one of the pages offered"):
        connections.post_as(team.admin, team.channel, "urn:li:organization:99")
    assert connections.post_as(team.admin, team.channel, "urn:li:organization:43") == "Acme Engineering"
    post = _scheduled_post(team, team.channel)
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert social_delivery.due_posts(later, setup.config) == [post]
    assert social_delivery.deliver(post, later, setup.config) == "published (api)"
    [(_, body)] = FakeNetwork.posts
    assert body["author"] == "urn:li:organization:43"


def test_a_callback_with_a_wrong_state_is_refused_in_words(team, setup):
    client = browser(team.admin)
    client.get(connections.connect_path("linkedin", team.channel))
    refused = client.get("/oauth/linkedin/callback?code=code-1&state=forged-state-of-someone-else")
    assert refused.status_code == 400
    assert "does not match a connection begun here" in refused.text
    assert "Start again with Connect on Admin → Social channels." in refused.text
    assert FakeNetwork.token_requests == []  # no code was exchanged


def test_an_expired_state_is_refused(clean_db, team, setup):
    long_ago = datetime.now(UTC) - timedelta(minutes=connections.STATE_MINUTES + 1)
    authorize = connections.begin(team.admin, team.channel, "linkedin", setup.config, now=long_ago)
    consent = httpx.get(authorize, follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    refused = browser(team.admin).get(f"{back.path}?{back.query}")
    assert refused.status_code == 400 and "has expired" in refused.text
    assert stored(clean_db) == [] and FakeNetwork.token_requests == []


def test_a_state_is_used_once_and_only_in_the_browser_that_began_it(clean_db, team, setup):
    admin_browser = browser(team.admin)
    started = admin_browser.get(connections.connect_path("linkedin", team.channel))
    consent = httpx.get(started.headers["location"], follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    other = browser(replace(team.admin, user_id=team.recruiter.user_id, email=team.recruiter.email))
    refused = other.get(f"{back.path}?{back.query}")
    assert refused.status_code == 400 and "begun by another user" in refused.text
    again = admin_browser.get(f"{back.path}?{back.query}")  # the state went with the first try
    assert again.status_code == 400 and stored(clean_db) == []


def test_only_an_admin_begins_a_connection(team, setup):
    refused = browser(team.publisher).get(connections.connect_path("linkedin", team.channel))
    assert refused.status_code in (400, 403) and "admin" in refused.text.lower()
    signed_out = TestClient(Starlette(routes=routes.ROUTES), follow_redirects=False)
    assert signed_out.get(connections.connect_path("linkedin", team.channel)).status_code == 403


def test_cancelling_at_the_network_connects_nothing(clean_db, team, setup):
    client = browser(team.admin)
    started = client.get(connections.connect_path("linkedin", team.channel))
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    refused = client.get(f"/oauth/linkedin/callback?error=access_denied&state={state}")
    assert refused.status_code == 400 and "cancelled at LinkedIn" in refused.text
    assert stored(clean_db) == []


def test_without_credentials_connecting_says_what_to_configure(team, setup, monkeypatch):
    bare = replace(setup.config, linkedin_client_secret=None, token_key=None)
    monkeypatch.setattr(connections, "settings", lambda: bare)
    assert connections.missing_configuration("linkedin") == ["LINKEDIN_CLIENT_SECRET", "PORTAL_TOKEN_KEY"]
    refused = browser(team.admin).get(connections.connect_path("linkedin", team.channel))
    assert refused.status_code == 400
    assert "LINKEDIN_CLIENT_SECRET and PORTAL_TOKEN_KEY" in refused.text


# --- the worker: refreshing, publishing -------------------------------------------------------------

def test_the_worker_refreshes_a_token_before_it_expires(clean_db, team, setup):
    connect(browser(team.admin), team.channel)
    [first] = FakeNetwork.access
    now = datetime.now(UTC)
    # An hour-long token: left alone while more than half an hour (a quarter of it at least) is left.
    assert connections.refresh_due(now + timedelta(minutes=20)) == "0 connections refreshed, 0 failed."
    assert connections.refresh_due(now + timedelta(minutes=40)) == "1 connection refreshed, 0 failed."
    assert [r["grant_type"] for r in FakeNetwork.token_requests] == ["authorization_code", "refresh_token"]
    [second] = FakeNetwork.access.keys() - {first}
    [row] = stored(clean_db)
    assert row["expires_at"] > now + timedelta(minutes=90) and second not in json.dumps(row, default=str)


def test_the_worker_renews_tokens_every_ten_minutes(clean_db, team, setup):
    task_queue.app.perform_import_paths()
    sweep = task_queue.app.periodic_registry.periodic_tasks[
        (background_tasks.REFRESH_TOKENS_NAME, "every ten minutes")]
    assert sweep.cron == "*/10 * * * *" and sweep.task.queue == task_queue.PUBLISHING_QUEUE
    FakeNetwork.expires_in = 20 * 60  # less than the half hour's margin: due at once
    connect(browser(team.admin), team.channel)
    assert background_tasks.refresh_connections(timestamp=0) == "1 connection refreshed, 0 failed."
    assert FakeNetwork.token_requests[-1]["grant_type"] == "refresh_token"


def test_a_refused_refresh_is_shown_to_admins(clean_db, team, setup):
    connect(browser(team.admin), team.channel)
    FakeNetwork.refresh.clear()  # the network forgot the grant (the member revoked it there)
    assert connections.refresh_due(datetime.now(UTC) + timedelta(minutes=50)).endswith("1 failed.")
    problem = connections.shown(team.admin)[team.channel].problem
    assert "LinkedIn refused to renew" in problem and "connect the page again" in problem


def test_access_that_cannot_be_renewed_is_announced_a_week_ahead(clean_db, team, setup):
    connect(browser(team.admin), team.channel)
    with clean_db.begin() as conn:  # as LinkedIn gives most apps: 60 days, no refresh token
        conn.execute(sa.text("update private.channel_connections set refresh_token = null,"
                             " expires_at = now() + interval '60 days'"))
    now = datetime.now(UTC)
    connections.refresh_due(now + timedelta(days=50))
    assert connections.shown(team.admin)[team.channel].problem is None
    connections.refresh_due(now + timedelta(days=54))
    problem = connections.shown(team.admin)[team.channel].problem
    assert problem.startswith("The network gives no renewal of this access, which ends on ")
    assert problem.endswith("(UTC); connect the page again before then to keep publishing.")


def _scheduled_post(team, channel) -> object:
    post = posts.compose(team.publisher, team.job, channel, "We are hiring a Data Engineer!", team.topic)
    posts.submit(team.publisher, post)
    review.approve(team.approver, post)
    posts.schedule(team.publisher, post, datetime.now(UTC) + timedelta(minutes=1))
    return post


def test_a_post_published_through_the_api_uses_the_connected_token(clean_db, team, setup):
    connect(browser(team.admin), team.channel)
    post = _scheduled_post(team, team.channel)
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert social_delivery.due_posts(later, setup.config) == [post]
    assert social_delivery.deliver(post, later, setup.config) == "published (api)"
    [(headers, body)] = FakeNetwork.posts
    [token] = FakeNetwork.access
    assert headers["authorization"] == f"Bearer {token}"
    assert body["author"] == "urn:li:organization:42"
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select status::text from public.social_posts where id = :id"),
                            {"id": post}).scalar() == "published"


def test_a_connected_channel_keeps_its_network_until_disconnected(team, setup):
    connect(browser(team.admin), team.channel)
    with pytest.raises(ValidationError, match="has a connected LinkedIn page; disconnect it"):
        channels.edit_channel(team.admin, team.channel, "Company LinkedIn", "x", "external", True)
    channels.edit_channel(team.admin, team.channel, "Our LinkedIn", "linkedin", "external", True)


# --- disconnecting --------------------------------------------------------------------------------

def test_disconnecting_revokes_the_tokens_at_the_network(clean_db, team, setup):
    connect(browser(team.admin), team.channel)
    [(access, refresh)] = FakeNetwork.access.items()
    said = connections.disconnect(team.admin, team.channel)
    assert said == ("LinkedIn page “Acme <b>Careers</b> **now**” disconnected; LinkedIn revoked the portal's"
                    " access.")
    assert set(FakeNetwork.revoked) == {access, refresh}
    assert stored(clean_db) == []
    post = _scheduled_post(team, team.channel)  # shared by hand again
    assert social_delivery.due_posts(datetime.now(UTC) + timedelta(minutes=2), setup.config) == []
    assert post


def test_only_admins_disconnect(clean_db, team, setup):
    connect(browser(team.admin), team.channel)
    with pytest.raises(Exception, match="admin"):
        connections.disconnect(team.publisher, team.channel)
    assert len(stored(clean_db)) == 1 and FakeNetwork.revoked == []


# --- X: the same flow with PKCE -------------------------------------------------------------------

def test_an_x_account_connects_with_pkce_and_posts_with_its_token(clean_db, team, setup):
    channel = channels.add_channel(team.admin, "Company X", "x", "external")
    client = browser(team.admin)
    query = _authorize_query(client, channel, "x")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert connect(client, channel, "x").status_code == 303
    assert FakeNetwork.token_requests[-1]["code_verifier"]  # the stand-in checked it against the challenge
    assert connections.shown(team.admin)[channel].account_name == "@acme_jobs"
    post = _scheduled_post(team, channel)
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert social_delivery.due_posts(later, setup.config) == [post]
    assert social_delivery.deliver(post, later, setup.config) == "published (api)"
    [(headers, _)] = FakeNetwork.posts
    assert headers["authorization"].removeprefix("Bearer ") in FakeNetwork.access


# --- Facebook: the page's own token -------------------------------------------------------------------

def test_a_facebook_page_connects_with_its_own_token_posts_and_is_revoked(clean_db, team, setup):
    channel = channels.add_channel(team.admin, "Company Facebook", "facebook", "external")
    client = browser(team.admin)
    query = _authorize_query(client, channel, "facebook")
    assert query["scope"] == ["pages_show_list,pages_manage_posts,pages_read_engagement"]
    assert connect(client, channel, "facebook").status_code == 303
    shown = connections.shown(team.admin)[channel]
    assert shown.account_name == "Acme on Facebook" and shown.expires_at is None  # page tokens do not expire
    assert shown.choices == (("555", "Acme on Facebook"), ("556", "Acme Engineering"))
    [row] = stored(clean_db)
    assert row["account_id"] == "555"
    assert not any(token in json.dumps(row, default=str) for token in FakeNetwork.page_tokens)
    assert connections.post_as(team.admin, channel, "556") == "Acme Engineering"  # its own token with it
    [page_token] = [token for token in FakeNetwork.page_tokens if token.startswith("FBPAGE-556-")]
    post = _scheduled_post(team, channel)
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert social_delivery.due_posts(later, setup.config) == [post]
    assert social_delivery.deliver(post, later, setup.config) == "published (api)"
    [(sent, _)] = FakeNetwork.posts
    assert sent["access_token"] == page_token  # the page's token, not the user's
    said = connections.disconnect(team.admin, channel)
    assert said.endswith("Facebook revoked the portal's access.")
    assert FakeNetwork.revoked == ["grant of u-1"] and stored(clean_db) == []
