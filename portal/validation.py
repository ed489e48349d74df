"""Checks of what users type, with messages that say what to fix."""

from __future__ import annotations

import math

from email_validator import EmailNotValidError, validate_email

from portal.errors import ValidationError
from portal.models import Role


def email_address(text: str | None) -> str:
    """A syntactically valid email address, lower-cased."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Enter an email address.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(f"“{text}” is not a valid email address: {error}") from None
    return result.normalized.lower()


def role(text: str | Role | None) -> Role:
    try:
        return Role(str(text or "").strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationError(f"“{text}” is not a role. Choose one of: {choices}.") from None


def full_name(text: str | None, *, required: bool = True) -> str:
    text = " ".join((text or "").split())
    if required and not text:
        raise ValidationError("Enter a name.")
    if len(text) > 120:
        raise ValidationError("Names are at most 120 characters.")
    return text


MIN_PASSWORD_LENGTH = 10


def new_password(text: str | None) -> str:
    text = text or ""
    if len(text) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if len(text.encode()) > 72:
        raise ValidationError("Passwords are at most 72 bytes long.")
    return text


def currency_code(text: str | None) -> str:
    """An ISO 4217-style code: three letters, upper-cased."""
    code = (text or "").strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise ValidationError(f"“{(text or '').strip()}” is not a currency code; use three letters "
                              "such as USD, EUR or GBP.")
    return code


MAX_AMOUNT = 9_999_999_999.99  # the amount columns are numeric(12, 2)


def money_amount(label: str, amount: float | None) -> float:
    """An amount of money between 0 and what the database stores."""
    if amount is None or not math.isfinite(amount) or not 0 <= amount <= MAX_AMOUNT:
        raise ValidationError(f"{label} must be a number between 0 and {MAX_AMOUNT:,.2f}.")
    return amount
