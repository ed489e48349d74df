import pytest

from portal import validation
from portal.db import contains_pattern, describe_url
from portal.errors import ValidationError
from portal.models import Role
from portal.ui import plain


def test_email_is_normalised():
    assert validation.email_address("  Jane.Doe@Example.COM ") == "jane.doe@example.com"


@pytest.mark.parametrize("bad", ["", "jane", "jane@", "@example.com", "jane doe@example.com"])
def test_bad_emails_say_what_to_fix(bad):
    with pytest.raises(ValidationError) as error:
        validation.email_address(bad)
    assert "email" in str(error.value).lower()


def test_roles_are_checked():
    assert validation.role("Recruiter") is Role.RECRUITER
    with pytest.raises(ValidationError, match="Choose one of"):
        validation.role("superuser")


def test_passwords_need_length():
    with pytest.raises(ValidationError, match="at least 10"):
        validation.new_password("short")
    assert validation.new_password("long enough!") == "long enough!"


def test_like_patterns_take_wildcards_literally():
    assert contains_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


def test_urls_are_described_without_passwords():
    described = describe_url("postgresql+psycopg://me:s3cret@db.example.com:5432/app")
    assert "s3cret" not in described and described.startswith("postgresql://me:")


def test_plain_text_cannot_make_links_or_html():
    shown = plain("[click](javascript:alert(1)) <b>bold</b> **x**")
    assert "\\[click\\]" in shown and "\\<b\\>" in shown and "\\*\\*x\\*\\*" in shown
