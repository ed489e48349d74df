"""portal.auth's password check: a sign-in with an unknown email checks a password against a
stand-in hash as costly as a real one, so the time taken does not tell whether an account
exists."""

from __future__ import annotations

import bcrypt

from portal import auth


def test_the_stand_in_hash_costs_what_a_real_one_costs():
    assert auth._DUMMY_HASH.startswith(f"$2b${auth.BCRYPT_ROUNDS:02d}$".encode())
    assert bcrypt.checkpw(b"no such account", auth._DUMMY_HASH)  # a real bcrypt hash


def test_no_password_matches_an_account_without_a_hash():
    assert not auth.password_matches("no such account", None)
    assert not auth.password_matches("", "")


def test_a_password_matches_its_own_hash_only():
    stored = auth.hash_password("correct horse")
    assert auth.password_matches("correct horse", stored)
    assert not auth.password_matches("wrong horse", stored)
