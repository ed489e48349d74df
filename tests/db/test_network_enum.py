"""The social networks as portal/networks.py describes them and as the database knows them:
a network added to one and not the other fails here."""

from __future__ import annotations

import sqlalchemy as sa

from portal.networks import NETWORKS


def test_the_registry_and_the_database_enum_name_the_same_networks(engine):
    with engine.connect() as conn:
        in_database = conn.execute(sa.text(
            "select e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid"
            " join pg_namespace n on n.oid = t.typnamespace"
            " where n.nspname = 'public' and t.typname = 'social_network'")).scalars().all()
    assert sorted(in_database) == sorted(NETWORKS)


def test_a_hire_through_any_network_is_credited_to_social_media_and_its_network(engine):
    with engine.connect() as conn:
        credited = {network.utm_source: tuple(conn.execute(sa.text(
            "select kind::text, channel from private.hire_source_of(:source)"),
            {"source": network.utm_source}).one()) for network in NETWORKS.values()}
    assert credited == {n.utm_source: ("social", n.utm_source) for n in NETWORKS.values()}
