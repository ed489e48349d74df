"""Checks of what users type, with messages that say what to fix."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from email_validator import EmailNotValidError, validate_email

from portal import resume_content
from portal.errors import ValidationError
from portal.models import Role

# Control characters: Postgres stores no NUL in text, and the others are invisible. Lines
# and tabs are allowed in text that may span lines, nothing of the kind in a single line.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")


def printable(label: str, value: str, *, single_line: bool) -> str:
    """`value` unchanged, or a ValidationError naming the field when it holds a control
    character (NUL or another invisible one; a line break or tab too if `single_line`)."""
    found = (_CONTROL_IN_LINE if single_line else _CONTROL_IN_TEXT).search(value)
    if found:
        character = found.group()
        what = ("a NUL character (\\x00)" if character == "\x00"
                else "a line break or tab" if character in "\r\n\t"
                else f"an invisible control character (U+{ord(character):04X})")
        raise ValidationError(f"{label}: remove {what}; it cannot be stored. Type or paste the "
                              "text again without it.")
    return value

T = TypeVar("T")


def email_address(text: str | None) -> str:
    """A syntactically valid email address, lower-cased."""
    text = printable("Email address", (text or "").strip(), single_line=True)
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
    text = " ".join(printable("Name", text or "", single_line=False).split())
    if required and not text:
        raise ValidationError("Enter a name.")
    if len(text) > 120:
        raise ValidationError("Names are at most 120 characters.")
    return text


MIN_PASSWORD_LENGTH = 10


def new_password(text: str | None) -> str:
    text = printable("Password", text or "", single_line=True)
    if len(text) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if len(text.encode()) > 72:
        raise ValidationError("Passwords are at most 72 bytes long.")
    return text


def typed_twice(password: str, again: str) -> None:
    """A new password is typed twice so a slip of the finger does not lock its owner out."""
    if password != again:
        raise ValidationError("The two passwords differ. Type the same password twice.")


def currency_code(text: str | None) -> str:
    """An ISO 4217-style code: three letters, upper-cased."""
    code = (text or "").strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise ValidationError(f"“{(text or '').strip()}” is not a currency code; use three letters "
                              "such as USD, EUR or GBP.")
    return code


MAX_AMOUNT = 9_999_999_999.99  # the amount columns are numeric(12, 2)


def number(label: str, value: float | None, *, minimum: float, maximum: float) -> float:
    """A finite number between `minimum` and `maximum` (a tampered form may send NaN or
    infinity, which compare false with everything)."""
    if value is None or not math.isfinite(value) or not minimum <= value <= maximum:
        raise ValidationError(f"{label} must be a number between {minimum:,g} and {maximum:,g}.")
    return value


def money_amount(label: str, amount: float | None) -> float:
    """An amount of money between 0 and what the database stores."""
    if amount is None or not math.isfinite(amount) or not 0 <= amount <= MAX_AMOUNT:
        raise ValidationError(f"{label} must be a number between 0 and {MAX_AMOUNT:,.2f}.")
    return amount


def text(label: str, value: str | None, *, minimum: int = 0, maximum: int,
         single_line: bool = False) -> str:
    """Free text of a bounded length, trimmed, without control characters (line breaks
    and tabs allowed unless `single_line`); `minimum` 0 makes it optional."""
    value = printable(label, (value or "").strip(), single_line=single_line)
    if minimum and len(value) < minimum:
        raise ValidationError(f"{label}: write at least {minimum} characters." if value
                              else f"{label}: this is required.")
    if len(value) > maximum:
        raise ValidationError(f"{label}: at most {maximum:,} characters "
                              f"(this has {len(value):,}). Shorten it and try again.")
    return value


_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,25}$")


def phone(value: str | None) -> str | None:
    """An optional phone number: digits, spaces and the usual separators, 6 to 25 long."""
    value = (value or "").strip()
    if not value:
        return None
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 6:
        raise ValidationError(f"“{value}” does not look like a phone number. Use digits, spaces "
                              "and an optional leading +, e.g. +49 30 1234567.")
    return value


def linkedin_url(value: str | None) -> str | None:
    """An optional LinkedIn profile address, https and on linkedin.com."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed "[" read as an IPv6 address
        parts = urlsplit("")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not (host == "linkedin.com"
                                                      or host.endswith(".linkedin.com")) \
            or len(value) > 300 or not parts.path.strip("/") \
            or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise ValidationError(f"“{value}” is not a LinkedIn profile address. Copy it from your "
                              "profile, e.g. https://www.linkedin.com/in/your-name.")
    # The host alone: no user name, password or port carried over from what was typed.
    return urlunsplit(("https", host, parts.path, "", ""))


MAX_RESUME_BYTES = 5 * 1024 * 1024
RESUME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def resume(file_name: str, data: bytes) -> tuple[str, str]:
    """The extension and content type of an uploaded résumé, checked by its content: a PDF
    must be a PDF and a .docx a Word document, whatever the name says, neither carrying
    active content or external references, nor unpacking to far more than it weighs
    (portal.resume_content)."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in RESUME_TYPES:
        raise ValidationError(f"“{file_name}” is not a PDF or Word (.docx) file. Save your résumé "
                              "as PDF or .docx and upload that.")
    if not data:
        raise ValidationError(f"“{file_name}” is empty. Choose the file again.")
    if len(data) > MAX_RESUME_BYTES:
        raise ValidationError(f"“{file_name}” is {len(data) / 1024 / 1024:.1f} MB; résumés can be "
                              f"at most {MAX_RESUME_BYTES // 1024 // 1024} MB.")
    resume_content.check(file_name, extension, data)
    return extension, RESUME_TYPES[extension]


class FormProblems:
    """Every problem of one form, so its check can say them all at once rather than one per
    try: `check` runs one field's check, `add` notes a problem found otherwise, and
    `raise_any` raises a ValidationError carrying them all, in the order of the form."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def check(self, field: str, check: Callable[..., T], *args, **kwargs) -> T | None:
        """What `check(*args, **kwargs)` returns, or None when it refuses (noted for `field`)."""
        try:
            return check(*args, **kwargs)
        except ValidationError as error:
            self.add(field, str(error))
            return None

    def add(self, field: str, message: str) -> None:
        self.found.append((field, message))

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError(" ".join(message for _, message in self.found), tuple(self.found))
