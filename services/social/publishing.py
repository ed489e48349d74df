"""How a post reaches its channel: adapters that send it, one per way of publishing, chosen
by what portal/networks.py says of the channel's network.

- a network that takes an incoming webhook (Slack, Teams, the news feed, the alumni
  digest), when an admin set the channel's webhook URL (a secret): `WebhookPublisher`, in
  the JSON shape the network takes;
- a network with an API publisher, when an admin connected the channel's page through the
  network's OAuth (services/social/connections.py: the token is the connection's) or its
  credentials are in the settings: `API_PUBLISHERS` (LinkedIn's Posts API, X's API v2
  POST /2/tweets, Facebook's Graph API /{page-id}/feed);
- anything else is shared by hand, through the network's share link (services/social/channel_text.py).

`publishing_method` says which, for a channel. Every adapter sends one request with short
explicit timeouts and turns any failure into a `PublishError`, whose message is written
here: never the network's answer, a URL or a token, so it may be stored and shown to staff.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from portal.networks import NETWORKS, PLAIN_JSON, SLACK_JSON, TEAMS_CARD
from portal.settings import Settings

WEBHOOK, API, SHARE_LINK = "webhook", "api", "share link"

# httpx logs every request's full URL at INFO, and an incoming-webhook URL is itself the
# secret: keep the HTTP libraries to warnings, whoever configures logging.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class Outgoing:
    """What is published: the post's text, the tracked link to the job, the job's title
    (LinkedIn's link card shows it)."""
    text: str
    link: str
    title: str


@dataclass(frozen=True)
class Connected:
    """A page connected through the network's OAuth: whom posts go out as (LinkedIn's
    organisation URN, X's user id) and the access token, opened for this one send."""
    account_id: str
    token: str = field(repr=False)


class PublishError(Exception):
    """A post that did not go out. `retryable`: worth trying again later (HTTP 429, 5xx,
    no answer); `status`: the HTTP status, None when there was no answer; `retry_after`:
    seconds the network asked us to wait, if it said."""

    def __init__(self, message: str, *, status: int | None, retryable: bool,
                 retry_after: float | None = None):
        super().__init__(message)
        self.message, self.status, self.retryable, self.retry_after = message, status, retryable, retry_after


class Publisher(Protocol):
    def publish(self, post: Outgoing) -> str | None:
        """Send the post; the published post's address when the network gives one."""


def publishing_method(network: str, has_webhook: bool, config: Settings, connected: bool = False) -> str:
    """How a channel's posts go out: WEBHOOK (sent by the worker to the channel's webhook),
    API (sent by the worker through the network's API, with the token of the page connected
    to the channel, or credentials in the settings) or
    SHARE_LINK (shared by hand: the network's share dialog, or the tracked link pasted into
    an internal channel that has no webhook)."""
    described = NETWORKS[network]
    if described.webhook:
        return WEBHOOK if has_webhook else SHARE_LINK
    if connected and described.oauth and network in API_PUBLISHERS:
        return API
    credentials = described.api_credentials
    return API if credentials and all(getattr(config, name) for name in credentials) else SHARE_LINK


def publisher_for(network: str, webhook_url: str | None, config: Settings,
                  connected: Connected | None = None) -> Publisher:
    """The adapter for a channel that `publishing_method` says publishes by itself; a
    connected page's token goes before the settings' credentials."""
    method = publishing_method(network, bool(webhook_url), config, connected is not None)
    if method == WEBHOOK:
        return WebhookPublisher(network, webhook_url, config.publish_timeout,
                                allow_private=config.allow_private_webhooks)
    if method == API:
        return API_PUBLISHERS[network](config, connected)
    raise ValueError(f"{network} channels without a webhook or credentials are shared by hand")


# --- sending ---------------------------------------------------------------------------------

def _post(url: str, label: str, timeout: float, **request) -> httpx.Response:
    """One POST; a refusal or no answer becomes a PublishError with its own words."""
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                          follow_redirects=False) as client:
            response = client.post(url, **request)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise PublishError(f"The address for {label} is not a valid http(s) URL.", status=None,
                           retryable=False) from None
    except httpx.TimeoutException:
        raise PublishError(f"{label} did not answer within {timeout:g} s.", status=None,
                           retryable=True) from None
    except httpx.HTTPError:  # refused connection, DNS, TLS: the message would name the URL
        raise PublishError(f"Could not connect to {label}.", status=None, retryable=True) from None
    if response.is_success:
        return response
    status = response.status_code
    if status == 429:
        raise PublishError(f"{label} is limiting how often we post (HTTP 429).", status=status,
                           retryable=True, retry_after=_retry_after(response))
    if status >= 500:
        raise PublishError(f"{label} had a problem (HTTP {status}).", status=status, retryable=True)
    raise PublishError(f"{label} refused the post (HTTP {status}).", status=status, retryable=False)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _refused(error: PublishError, advice: str) -> PublishError:
    """The same error with what to check added, when the network refused for good."""
    if error.retryable:
        return error
    return PublishError(f"{error.message} {advice}", status=error.status, retryable=False)


def _slack_json(post: Outgoing) -> dict:
    # Slack reads &, < and > as its own markup (links, mentions): escaped, as its
    # formatting guide asks, so the text is shown as written.
    text = post.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"text": text if post.link in post.text else f"{text}\n\n<{post.link}>"}


def _teams_card(post: Outgoing) -> dict:
    # A message with an Adaptive Card: what both Teams' Workflows webhooks and its older
    # connectors take.
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4",
            "body": [{"type": "TextBlock", "text": post.text, "wrap": True}],
            "actions": [{"type": "Action.OpenUrl", "title": f"View the job: {post.title}",
                         "url": post.link}]}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
         "content": card}]}


def _plain_json(post: Outgoing) -> dict:
    return {"text": post.text, "link": post.link, "title": post.title}


# The body of each webhook shape a network may take (portal/networks.py).
WEBHOOK_PAYLOADS = {SLACK_JSON: _slack_json, TEAMS_CARD: _teams_card, PLAIN_JSON: _plain_json}


def _addresses(url: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """What `url`'s host is or resolves to (IPv4-mapped IPv6 as IPv4); none for a malformed
    URL or a name that does not resolve."""
    try:
        host = _host(url)
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP) if host else []
    except (UnicodeError, OSError):  # a malformed URL or host; no such name
        return []
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        addresses.append(address)
    return addresses


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not address.is_global or address.is_multicast


def private_address(url: str) -> str | None:
    """The loopback, private, link-local or otherwise non-public address that `url`'s host
    is or resolves to, or None. A name that does not resolve gives None: there is nothing
    to reach, and sending checks again (names may resolve elsewhere by then)."""
    return next((str(a) for a in _addresses(url) if _not_public(a)), None)


def _pinned(url: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[str, dict]:
    """`url` sent to `address`, the one just checked, rather than to whatever its name
    resolves to a moment later (DNS rebinding); the Host header and TLS (SNI and the
    certificate's name) still use the name."""
    parts = urlsplit(url)
    ip = f"[{address}]" if address.version == 6 else str(address)
    netloc = ip if parts.port is None else f"{ip}:{parts.port}"
    host = parts.hostname or ""
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return (parts._replace(netloc=netloc).geturl(),
            {"headers": {"Host": host_header}, "extensions": {"sni_hostname": host}})


class WebhookPublisher:
    """Incoming webhooks, each sent the JSON its network takes (`WEBHOOK_PAYLOADS`), to
    public addresses only unless `allow_private` (PORTAL_ALLOW_PRIVATE_WEBHOOKS)."""

    def __init__(self, network: str, url: str, timeout: float = 10.0, *,
                 allow_private: bool = False):
        if NETWORKS[network].webhook is None:
            raise ValueError(f"{network} is not published by webhook")
        self.network, self._url, self.timeout = network, url, timeout
        self.allow_private = allow_private

    def __repr__(self) -> str:  # the URL is a secret
        return f"WebhookPublisher({self.network!r})"

    def payload(self, post: Outgoing) -> dict:
        return WEBHOOK_PAYLOADS[NETWORKS[self.network].webhook](post)

    def publish(self, post: Outgoing) -> str | None:
        label = NETWORKS[self.network].label
        url, pinning = self._url, {}
        if not self.allow_private:
            # Checked again here, not only when saved: the name may resolve elsewhere now;
            # and the request goes to the address checked, not to a second lookup's answer.
            addresses = _addresses(self._url)
            if any(_not_public(a) for a in addresses):
                raise PublishError(f"The address for {label} is on a private or local network, where "
                                   "the portal does not send. Check the channel's webhook URL.",
                                   status=None, retryable=False)
            if addresses:
                url, pinning = _pinned(self._url, addresses[0])
            elif _host(self._url):  # no answer now: a later lookup's answer is not checked
                raise PublishError(f"Could not connect to {label}.", status=None, retryable=True)
        try:
            _post(url, label, self.timeout, json=self.payload(post), **pinning)
        except PublishError as error:
            raise _refused(error, "Check the channel's webhook URL.") from None
        return None  # webhooks do not say where the message is


class LinkedInPublisher:
    """LinkedIn's Posts API: POST /rest/posts as the organisation or member in
    LINKEDIN_AUTHOR_URN, with an article card for the job's link."""

    # "little" text: these characters are markup in a post's commentary; unescaped,
    # LinkedIn cuts the post at the first of them.
    _RESERVED = set("\\|{}@[]()<>#*_~")

    def __init__(self, config: Settings, connected: Connected | None = None):
        self._token, self.author = config.linkedin_access_token, config.linkedin_author_urn
        if connected:  # the page an admin connected
            self._token, self.author = connected.token, connected.account_id
        self._advice = ("Check the connected page on Admin → Social channels and the post." if connected
                        else "Check LINKEDIN_ACCESS_TOKEN, LINKEDIN_AUTHOR_URN and the post.")
        self.base_url, self.version = config.linkedin_api_url, config.linkedin_api_version
        self.timeout = config.publish_timeout

    def __repr__(self) -> str:
        return f"LinkedInPublisher({self.author!r})"

    @classmethod
    def commentary(cls, text: str) -> str:
        return "".join(f"\\{c}" if c in cls._RESERVED else c for c in text)

    def publish(self, post: Outgoing) -> str | None:
        body = {"author": self.author, "commentary": self.commentary(post.text),
                "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "content": {"article": {"source": post.link, "title": post.title[:400]}},
                "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}
        headers = {"Authorization": f"Bearer {self._token}", "LinkedIn-Version": self.version,
                   "X-Restli-Protocol-Version": "2.0.0"}
        try:
            response = _post(f"{self.base_url}/rest/posts", "LinkedIn", self.timeout,
                             json=body, headers=headers)
        except PublishError as error:
            raise _refused(error, self._advice) from None
        urn = response.headers.get("x-restli-id")
        return f"https://www.linkedin.com/feed/update/{quote(urn, safe=':')}/" if urn else None


class XPublisher:
    """X API v2: POST /2/tweets with a user-context OAuth 2.0 token (X_BEARER_TOKEN)."""

    def __init__(self, config: Settings, connected: Connected | None = None):
        self._token, self.base_url = config.x_bearer_token, config.x_api_url
        self.timeout = config.publish_timeout
        self._advice = "Check X_BEARER_TOKEN and that the post fits in 280 characters."
        if connected:  # the account an admin connected
            self._token = connected.token
            self._advice = "Check the connected account on Admin → Social channels and the post's length."

    def __repr__(self) -> str:
        return "XPublisher()"

    def publish(self, post: Outgoing) -> str | None:
        text = post.text if post.link in post.text else f"{post.text} {post.link}"
        try:
            response = _post(f"{self.base_url}/2/tweets", "X", self.timeout, json={"text": text},
                             headers={"Authorization": f"Bearer {self._token}"})
        except PublishError as error:
            raise _refused(error, self._advice) from None
        post_id = _json(response).get("data", {}).get("id")
        return f"https://x.com/i/web/status/{quote(str(post_id))}" if post_id else None


class FacebookPublisher:
    """Facebook's Graph API: POST /{page-id}/feed with the message and the link, as the
    page (a page access token, sent in the form body, never in the URL)."""

    def __init__(self, config: Settings, connected: Connected | None = None):
        self.page_id, self._token = config.facebook_page_id, config.facebook_page_token
        if connected:
            self.page_id, self._token = connected.account_id, connected.token
        self.base_url, self.timeout = config.facebook_graph_url, config.publish_timeout

    def __repr__(self) -> str:
        return f"FacebookPublisher({self.page_id!r})"

    def publish(self, post: Outgoing) -> str | None:
        form = {"message": post.text, "link": post.link, "access_token": self._token}
        try:
            response = _post(f"{self.base_url}/{quote(self.page_id, safe='')}/feed", "Facebook",
                             self.timeout, data=form)
        except PublishError as error:
            raise _refused(error, "Check FACEBOOK_PAGE_ID and FACEBOOK_PAGE_TOKEN.") from None
        post_id = _json(response).get("id")
        return f"https://www.facebook.com/{quote(str(post_id), safe='')}" if post_id else None


def _json(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# The API publisher of each network that has API credentials (portal/networks.py).
API_PUBLISHERS: dict[str, Callable[[Settings, Connected | None], Publisher]] = {
    "linkedin": LinkedInPublisher, "x": XPublisher, "facebook": FacebookPublisher}
