"""What portal/networks.py says of each network, social media's adapters carry out: an
entry whose publisher, webhook body or credentials are missing fails here."""

from __future__ import annotations

from dataclasses import fields

import pytest

from portal.networks import AUDIENCES, NETWORKS
from portal.settings import Settings
from services.social import publishing

SETTINGS_FIELDS = {f.name for f in fields(Settings)}


@pytest.mark.parametrize("network", NETWORKS.values(), ids=list(NETWORKS))
def test_each_network_is_described_completely(network):
    assert network.audience in AUDIENCES and network.limit > 0
    assert set(network.api_credentials) <= SETTINGS_FIELDS
    assert (network.key in publishing.API_PUBLISHERS) == bool(network.api_credentials)
    assert network.webhook is None or network.webhook in publishing.WEBHOOK_PAYLOADS
    assert not (network.webhook and network.api_credentials), "one way of publishing by itself"


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
