"""Secrets the portal must read back (a connected page's OAuth tokens), encrypted at rest
with Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package), keyed by
PORTAL_TOKEN_KEY. Several comma-separated keys rotate: the first encrypts, any decrypts.
The database alone, a dump or a backup, cannot open them."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from portal.settings import Settings

KEY_SETTING = "PORTAL_TOKEN_KEY"


class NoKey(Exception):
    """PORTAL_TOKEN_KEY is not set, or is not a Fernet key (the message says which)."""


def new_key() -> str:
    """A fresh key, as `portal token-key` prints it."""
    return Fernet.generate_key().decode()


def _box(config: Settings) -> MultiFernet:
    keys = [key.strip() for key in (config.token_key or "").split(",") if key.strip()]
    if not keys:
        raise NoKey(f"{KEY_SETTING} is not set.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise NoKey(f"{KEY_SETTING} is not a key made by `portal token-key`"
                    " (32 url-safe base64 bytes).") from None


def has_key(config: Settings) -> bool:
    try:
        _box(config)
    except NoKey:
        return False
    return True


def seal(secret: str, config: Settings) -> str:
    """`secret` encrypted and authenticated, as text to store."""
    return _box(config).encrypt(secret.encode()).decode()


def unseal(sealed: str, config: Settings) -> str:
    """The secret `seal` made; NoKey when none of the keys opens it (a key was replaced)."""
    try:
        return _box(config).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise NoKey(f"None of the keys in {KEY_SETTING} opens this secret (was the key replaced?).") from None
