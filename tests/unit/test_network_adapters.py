"""What portal/networks.py says of each network, social media's adapters carry out: an
entry whose publisher, webhook body or credentials are missing fails here."""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from portal.networks import AUDIENCES, NETWORKS
from portal.settings import Settings
from services.social import connections, publishing

SETTINGS_FIELDS = {f.name for f in fields(Settings)}


@pytest.mark.parametrize("network", NETWORKS.values(), ids=list(NETWORKS))
def test_each_network_is_described_completely(network):
    assert network.audience in AUDIENCES and network.limit > 0
    assert set(network.api_credentials) <= SETTINGS_FIELDS
    assert (network.key in publishing.API_PUBLISHERS) == bool(network.api_credentials)
    assert network.webhook is None or network.webhook in publishing.WEBHOOK_PAYLOADS
    assert not (network.webhook and network.api_credentials), "one way of publishing by itself"
    if network.oauth:  # a page an admin connects: its app's settings, its lookup, its publisher
        assert {*network.oauth.client_settings, network.oauth.endpoint_setting} <= SETTINGS_FIELDS
        assert network.key in connections.ACCOUNT_LOOKUPS and network.key in publishing.API_PUBLISHERS
        assert network.oauth.client_auth in ("body", "basic")


@pytest.mark.parametrize("network", NETWORKS.values(), ids=list(NETWORKS))
def test_a_network_with_its_credentials_or_webhook_publishes_by_itself(network):
    configured = Settings(**dict.fromkeys(network.api_credentials, "set"))
    method = publishing.publishing_method(network.key, True, configured)
    assert method == (publishing.WEBHOOK if network.webhook else publishing.API)
    assert publishing.publishing_method(network.key, False, Settings()) == publishing.SHARE_LINK
    publisher = publishing.publisher_for(network.key, "https://hooks.example/1", configured)
    expected = publishing.WebhookPublisher if network.webhook else publishing.API_PUBLISHERS[network.key]
    assert isinstance(publisher, expected)


@pytest.mark.parametrize(("url", "found"), [
    ("https://127.0.0.1/x", "127.0.0.1"), ("https://localhost/x", None),  # None: stands for any
    ("https://172.16.5.4/x", "172.16.5.4"), ("https://[fe80::1]/x", "fe80::1"),
    ("https://[::ffff:10.0.0.1]/x", "10.0.0.1"), ("https://224.0.0.1/x", "224.0.0.1"),
    ("https://8.8.8.8/x", None), ("https://[2001:4860:4860::8888]/x", None),
    ("https://no-such-host.invalid/x", None), ("https://[oops/x", None), ("not a url", None)])
def test_private_addresses_are_found_by_what_the_host_is(url, found):
    address = publishing.private_address(url)
    if "localhost" in url:
        assert address in ("127.0.0.1", "::1")
    else:
        assert address == found


def test_a_webhook_publisher_refuses_a_private_address_before_connecting():
    publisher = publishing.publisher_for("slack", "https://127.0.0.1:9/hook", Settings())
    with pytest.raises(publishing.PublishError, match="private or local network") as refused:
        publisher.publish(publishing.Outgoing("Hello", "https://jobs.example/1", "Job"))
    assert not refused.value.retryable


def test_a_webhook_goes_to_the_address_checked_not_to_a_second_lookup(monkeypatch):
    """DNS rebinding: a name that answers a public address when checked and a private one
    a moment later. The publisher looks it up once and sends to the address it checked,
    with the name in the Host header. Loopback stands in for the public address here (the
    receiver has to be reachable), so it is counted as public for this test only."""
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append((self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    answers = iter([ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("10.0.0.1")])
    lookups = []
    real_lookup = socket.getaddrinfo

    def rebinding_lookup(host, *args, **kwargs):
        if host != "hooks.example":  # the socket's own lookup of an address: answered as usual
            return real_lookup(host, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (str(next(answers)), 0))]

    monkeypatch.setattr(publishing.socket, "getaddrinfo", rebinding_lookup)
    monkeypatch.setattr(publishing, "_not_public", lambda address: str(address) != "127.0.0.1")
    port = server.server_address[1]
    try:
        publisher = publishing.publisher_for("slack", f"http://hooks.example:{port}/hook", Settings())
        publisher.publish(publishing.Outgoing("Hello", "https://jobs.example/1", "Job"))
    finally:
        server.shutdown()
    assert lookups == ["hooks.example"]  # once: no second answer to be rebound
    assert received and received[0][0] == f"hooks.example:{port}"
    assert b"Hello" in received[0][1]


def test_a_webhook_whose_name_does_not_resolve_now_is_not_sent(monkeypatch):
    def no_answer(*args, **kwargs):
        raise socket.gaierror("no such name")

    monkeypatch.setattr(publishing.socket, "getaddrinfo", no_answer)
    publisher = publishing.publisher_for("slack", "https://hooks.example/hook", Settings())
    with pytest.raises(publishing.PublishError, match="Could not connect") as refused:
        publisher.publish(publishing.Outgoing("Hello", "https://jobs.example/1", "Job"))
    assert refused.value.retryable


def test_a_connected_page_publishes_by_itself_without_credentials_in_the_settings():
    assert publishing.publishing_method("linkedin", False, Settings(), connected=True) == publishing.API
    assert publishing.publishing_method("slack", False, Settings(), connected=True) == publishing.SHARE_LINK
    publisher = publishing.publisher_for("linkedin", None, Settings(),
                                         publishing.Connected("urn:li:organization:7", "tok"))
    assert publisher.author == "urn:li:organization:7" and "tok" not in repr(publisher)
    assert "tok" not in repr(publishing.Connected("urn:li:organization:7", "tok"))


def test_oauth_addresses_point_at_a_stand_in_when_configured():
    stand_in = Settings(linkedin_oauth_url="http://127.0.0.1:9999/base")
    assert connections.endpoint("https://www.linkedin.com/oauth/v2/revoke", "linkedin", stand_in) \
        == "http://127.0.0.1:9999/base/oauth/v2/revoke"
    assert connections.endpoint("https://www.linkedin.com/oauth/v2/revoke", "linkedin", Settings()) \
        == "https://www.linkedin.com/oauth/v2/revoke"
