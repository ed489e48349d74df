import pytest

from portal import public_address, ui, validation
from portal.db import DatabaseUnavailable, contains_pattern, database_url, describe_server
from portal.errors import ValidationError
from portal.models import Role
from portal.settings import load_settings
from portal.ui import highlighted, plain
from portal.words import counted


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


def test_servers_are_described_without_user_or_password():
    described = describe_server("postgresql+psycopg://me:s3cret@db.example.com:6543/app")
    assert described == "db.example.com:6543/app"


@pytest.mark.parametrize("url,message", [
    ("foo", "not a database URL"),
    ("mysql://u:p@h/db", "must point at PostgreSQL"),
    ("postgresql://postgres:s3cr@t@db.example.com/x", "percent-encode"),
])
def test_bad_database_urls_say_what_to_fix(url, message):
    with pytest.raises(DatabaseUnavailable, match=message):
        database_url(load_settings({"DATABASE_URL": url}))


def test_plain_text_cannot_make_links_or_html():
    shown = plain("[click](javascript:alert(1)) <b>bold</b> **x**")
    assert "\\[click\\]" in shown and "\\<b\\>" in shown and "\\*\\*x\\*\\*" in shown


@pytest.mark.parametrize("text", ["www.evil.example", "https://evil.example/x",
                                  "x@attacker.example", ":material/home:"])
def test_plain_text_breaks_autolinks_and_icon_codes(text):
    shown = plain(text)
    # An invisible word joiner follows every "www", ":" and "@": no autolink, no icon.
    assert "\u2060" in shown
    assert shown.replace("\u2060", "").replace("\\", "") == text


def test_a_job_card_is_one_markdown_text_that_shows_what_was_written():
    card = ui.job_card_text("Engineer]] # [win](https://x.example)", ("Berlin]]", "€ 50,000 – 60,000"),
                            "**Build** things. " + "word " * 80)
    title, facts, start = card.split("\n\n")
    assert title == "### " + plain("Engineer]] # [win](https://x.example)")
    # Nothing written closes the small grey facts early: their brackets are escaped.
    assert facts == ":gray[:small[" + plain("Berlin]]") + " · " + plain("€ 50,000 – 60,000") + "]]"
    assert "]]" not in facts.removesuffix("]]")
    assert start == plain(ui.excerpt("**Build** things. " + "word " * 80)) and start.endswith("…")
    assert ui.job_card_text("Engineer", (), "") == "### Engineer\n\n:gray[:small[]]"  # no description


def test_highlighted_text_marks_spans_and_stays_text():
    text = "Join #Falcon]\n[x](javascript:1) **now**"
    now = text.index("now")
    shown = highlighted(text, [(5, 13, "red"), (0, 0, "red"), (6, 9, "orange"), (now, now + 3, "orange")])
    assert shown.startswith("Join :red-background[\\#Falcon\\]]  \n\\[x\\]")  # "]" cannot close the mark
    assert shown.endswith("\\*\\*:orange-background[now]\\*\\*")
    assert shown.count("-background[") == 2  # the empty and the overlapping mark are skipped
    # a mark across a line break is marked on each line
    assert highlighted("a\nb", [(0, 3, "red")]) == ":red-background[a]  \n:red-background[b]"


@pytest.mark.parametrize(("count", "noun", "plural", "said"), [
    (1, "post", None, "1 post"), (0, "post", None, "0 posts"), (1200, "hire", None, "1,200 hires"),
    (2, "alumni roster entry", "alumni roster entries", "2 alumni roster entries"),
    (1, "person", "people", "1 person")])
def test_counts_read_in_the_singular_or_plural(count, noun, plural, said):
    assert counted(count, noun, plural) == said


@pytest.mark.parametrize(("public_url", "here", "warned"), [
    ("http://localhost:8501", "http://localhost:8501/overview", False),
    ("https://jobs.example.com", "https://JOBS.example.com/jobs?id=1", False),
    ("http://localhost:8501", "http://127.0.0.1:8502/", True),
    ("http://localhost:8501", "https://jobs.example.com/", True),
    ("https://jobs.example.com", "http://jobs.example.com/", True),
    ("http://localhost:8501", None, False),
])
@pytest.mark.parametrize("configured", [True, False])
def test_admins_are_warned_when_links_would_lead_elsewhere(public_url, here, warned, configured):
    warning = ui.public_url_warning(public_url, here, configured=configured)
    assert (warning is not None) == warned
    if warned:
        assert public_url in warning and "PORTAL_PUBLIC_URL" in warning
        # without PORTAL_PUBLIC_URL, the admin may use the address they are at
        assert ("use this address for links" in warning) == (not configured)


@pytest.mark.parametrize(("typed", "kept"), [
    ("https://careers.example.com", "https://careers.example.com"),
    (" HTTP://Jobs.Example.com:8080/ ", "http://jobs.example.com:8080"),
    ("http://[::1]:8501", "http://[::1]:8501"),
])
def test_a_public_address_is_kept_as_scheme_host_and_port(typed, kept):
    assert public_address.checked(typed) == kept


@pytest.mark.parametrize(("typed", "said"), [
    ("careers.example.com", "starts with https://"), ("ftp://example.com", "starts with https://"),
    ("https://example.com/jobs", "no path"), ("https://user@example.com", "no path"),
    ("https://example.com?x=1", "no path"), ("https://example.com:99999", "port"),
    ("https://exa mple.com", "letters, digits"), ("https://", "starts with https://"),
])
def test_a_bad_public_address_says_what_to_change(typed, said):
    with pytest.raises(ValidationError, match=said):
        public_address.checked(typed)


@pytest.mark.parametrize(("written", "shown"), [
    ("Hi ![pixel](https://tracker.example/p.png) there", "Hi \\[pixel\\] there"),
    ("![](https://tracker.example/p.png)", "\\[image\\]"),
    ("![logo][1]\n\n[1]: https://tracker.example/p.png", "\\[logo\\]\n\n[1]: https://tracker.example/p.png"),
    ("[click](data:text/html,<b>hi</b>)", "click"),
    ("[click](JavaScript:alert(1))", "click)"),
    ("[site](https://ok.example) and [mail](mailto:jobs@ok.example)",
     "[site](https://ok.example) and [mail](mailto:jobs@ok.example)"),
])
def test_staff_markdown_loads_nothing_and_links_only_to_web_and_mail(written, shown):
    assert ui.staff_markdown(written) == shown
