"""Sign-in back-off per address *and* per client, without locking the owner out (issue 17,
finding 13). Before, failures were counted per address only: one password tried over many
addresses was never slowed, and guesses from anywhere made the owner's right password wait
up to 300 s. Clients are addresses from the documentation ranges (RFC 5737)."""

import pytest
import sqlalchemy as sa

from portal.models import Role
from services.demo import DEMO_PASSWORD
from services.people import sign_in

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"
SPRAYED = "Autumn2026!"


@pytest.fixture(autouse=True)
def waits_outlast_the_test(monkeypatch):
    """A first wait of a minute, so that no wait runs out between two steps of a test."""
    monkeypatch.setattr(sign_in, "FIRST_LOCK_SECONDS", 60)


def _refused(email, password, client):
    with pytest.raises(sign_in.SignInError) as refusal:
        sign_in.with_password(email, password, client)
    return str(refusal.value)


def test_one_password_sprayed_over_many_addresses_is_slowed(demo_db):
    for n in range(sign_in.CLIENT_FREE_ATTEMPTS):
        assert _refused(f"person{n}@example.com", SPRAYED, ATTACKER) == sign_in.GENERIC_SIGN_IN_ERROR
    # Each address saw one failure only, but the client has failed too often.
    refusal = _refused("recruiter@example.com", SPRAYED, ATTACKER)
    assert refusal.startswith("Too many failed sign-ins from your network. Wait 60 seconds")
    # Even the right password waits from there; everyone else is not slowed.
    assert _refused("recruiter@example.com", DEMO_PASSWORD, ATTACKER).startswith("Too many")
    assert _refused("person99@example.com", SPRAYED, OWNER) == sign_in.GENERIC_SIGN_IN_ERROR
    assert sign_in.with_password("recruiter@example.com", DEMO_PASSWORD, OWNER).role is Role.RECRUITER


def test_the_client_wait_doubles_and_a_sign_in_does_not_reset_it(demo_db):
    for n in range(sign_in.CLIENT_FREE_ATTEMPTS + 2):
        with demo_db.begin() as conn:  # each wait over before the next guess
            conn.execute(sa.text("update private.sign_in_failures set locked_until = now() - interval"
                                 " '1 s' where locked_until is not null"))
        _refused(f"person{n}@example.com", SPRAYED, ATTACKER)
    assert _client_wait(demo_db) == 60 * 4
    with demo_db.begin() as conn:
        conn.execute(sa.text("update private.sign_in_failures set locked_until = now() - interval '1 s'"))
    # The attacker's own account signs in from there, and the client's count stays.
    assert sign_in.with_password("tom@example.com", DEMO_PASSWORD, ATTACKER)
    assert _refused("person50@example.com", SPRAYED, ATTACKER) == sign_in.GENERIC_SIGN_IN_ERROR
    assert _client_wait(demo_db) == sign_in.MAX_LOCK_SECONDS  # 60 * 8, but never above the cap
    assert _refused("person51@example.com", SPRAYED, ATTACKER).startswith(
        "Too many failed sign-ins from your network. Wait")


def _client_wait(engine):
    with engine.connect() as conn:
        return conn.execute(sa.text("select round(extract(epoch from locked_until - last_failure_at))"
                                    " from private.sign_in_failures where key = :key"),
                            {"key": f"client:{ATTACKER}"}).scalar()


def test_guesses_from_one_client_do_not_lock_the_owner_out(demo_db):
    for _ in range(sign_in.FREE_ATTEMPTS):
        assert _refused("recruiter@example.com", "a guess", ATTACKER) == sign_in.GENERIC_SIGN_IN_ERROR
    # The guessing client waits, even with the right password…
    assert _refused("recruiter@example.com", DEMO_PASSWORD, ATTACKER).startswith(
        "Too many failed sign-ins for this email. Wait")
    # …and the owner, from their own client, signs in at once.
    assert sign_in.with_password("recruiter@example.com", DEMO_PASSWORD, OWNER).role is Role.RECRUITER


def test_an_address_under_attack_from_many_clients_gives_each_one_guess(demo_db):
    botnet = [f"192.0.2.{n}" for n in range(1, sign_in.ACCOUNT_FREE_ATTEMPTS + 1)]
    for client in botnet:  # one guess each: no client reaches its own limit
        assert _refused("recruiter@example.com", "a guess", client) == sign_in.GENERIC_SIGN_IN_ERROR
    # The address is under attack: every client that failed on it waits…
    assert _refused("recruiter@example.com", "a guess", botnet[0]).startswith(
        "Too many failed sign-ins for this email. Wait")
    # …a new one gets one guess, then waits too…
    assert _refused("recruiter@example.com", "a guess", "192.0.2.200") == sign_in.GENERIC_SIGN_IN_ERROR
    assert _refused("recruiter@example.com", DEMO_PASSWORD, "192.0.2.200").startswith("Too many")
    # …and the owner's right password from their own client still signs them in.
    assert sign_in.with_password("recruiter@example.com", DEMO_PASSWORD, OWNER).role is Role.RECRUITER
    # A typo by the owner during the attack makes the owner wait like the others.
    assert _refused("recruiter@example.com", "typo", OWNER) == sign_in.GENERIC_SIGN_IN_ERROR
    assert _refused("recruiter@example.com", DEMO_PASSWORD, OWNER).startswith("Too many")


def test_client_addresses_are_kept_only_while_they_matter(demo_db):
    _refused("recruiter@example.com", "a guess", ATTACKER)
    with demo_db.begin() as conn:  # a while later…
        conn.execute(sa.text("update private.sign_in_failures"
                             " set last_failure_at = now() - interval '1 hour'"))
    sign_in.with_password("tom@example.com", DEMO_PASSWORD, OWNER)
    with demo_db.connect() as conn:
        keys = conn.execute(sa.text("select key from private.sign_in_failures")).scalars().all()
    assert not [key for key in keys if ATTACKER in key]

