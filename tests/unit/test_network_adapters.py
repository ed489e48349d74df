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
