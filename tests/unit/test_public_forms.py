"""What visitors type and upload on the public pages: phone numbers, LinkedIn addresses,
free text, résumés (checked by their content, whatever their name says), and the tracked
link parameters that came with them."""

from __future__ import annotations

import hashlib
import io
import math
import re
import stat
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest

from portal import validation
from portal.errors import ValidationError
from portal.models import Actor
from portal.settings import Settings
from portal.storage import LocalStore, resume_store
from portal.tokens import new_token, plausible_token, token_hash
from services.candidates import applications, questions
from services.candidates import private_links as links
from services.postings.tracking import TrackedSource, job_link
from tests.support import make_docx, make_pdf

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"






def with_macros(data: bytes) -> bytes:
    """The same Word document with a VBA project inside, as a .docm saved as .docx has."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    return out.getvalue()


# --- phone --------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, kept", [
    ("+49 30 1234567", "+49 30 1234567"),
    ("  (030) 123-4567 ", "(030) 123-4567"),
    ("0049.30.123456", "0049.30.123456"),
])
def test_phone_numbers_are_kept_as_typed_but_trimmed(typed, kept):
    assert validation.phone(typed) == kept


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_a_phone_number_is_optional(empty):
    assert validation.phone(empty) is None


@pytest.mark.parametrize("bad", [
    "12345",                # too few digits
    "call me maybe",
    "+49 30 123456 ext 7",  # letters
    "++49 30 1234567",
    "1" * 26,               # too long
    "(((((())))))1",        # separators are not digits
    "+49 30\n1234567",      # a line break inside
    "+49\u00a030\u00a01234567",  # non-breaking spaces
])
def test_what_is_not_a_phone_number_is_refused(bad):
    with pytest.raises(ValidationError, match="phone number"):
        validation.phone(bad)


# --- LinkedIn -----------------------------------------------------------------------------

@pytest.mark.parametrize("typed, kept", [
    ("https://www.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace"),
    ("linkedin.com/in/ada", "https://linkedin.com/in/ada"),
    ("http://www.LinkedIn.com/in/Ada/", "https://www.linkedin.com/in/Ada/"),
    ("https://de.linkedin.com/in/ada?trk=public_profile#top", "https://de.linkedin.com/in/ada"),
    # What was typed before the host (a user name, a password) and a port are not carried on.
    ("https://me:secret@www.linkedin.com:8443/in/ada", "https://www.linkedin.com/in/ada"),
])
def test_linkedin_addresses_are_made_https_without_query(typed, kept):
    assert validation.linkedin_url(typed) == kept


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_a_linkedin_address_is_optional(empty):
    assert validation.linkedin_url(empty) is None


@pytest.mark.parametrize("bad", [
    "https://linkedin.com.evil.io/in/ada",
    "https://evil-linkedin.com/in/ada",
    "https://www.linkedin.com@evil.io/in/ada",
    "https://evil.io/?next=linkedin.com/in/ada",
    "javascript:alert(1)//linkedin.com/in/ada",
    "ftp://www.linkedin.com/in/ada",
    "https://www.linkedin.com",
    "https://www.linkedin.com/",
    "https://[www.linkedin.com/in/ada",  # not a URL at all: an unclosed IPv6 bracket
    "https://www.linkedin.com/in/ada lovelace",
    "https://www.linkedin.com/in/" + "a" * 300,
    "Ada Lovelace",
])
def test_what_is_not_a_linkedin_profile_is_refused(bad):
    with pytest.raises(ValidationError, match="not a LinkedIn profile address"):
        validation.linkedin_url(bad)


# --- free text ----------------------------------------------------------------------------

def test_text_is_trimmed_and_bounded():
    assert validation.text("Note", "  hello  ", maximum=10) == "hello"
    assert validation.text("Note", None, maximum=10) == ""
    assert validation.text("Note", "x" * 10, maximum=10) == "x" * 10
    with pytest.raises(ValidationError, match=r"Note: at most 10 characters \(this has 11\)"):
        validation.text("Note", "x" * 11, maximum=10)


def test_required_text_says_what_is_missing():
    with pytest.raises(ValidationError, match="Question: this is required"):
        validation.text("Question", "   ", minimum=5, maximum=100)
    with pytest.raises(ValidationError, match="Question: write at least 5 characters"):
        validation.text("Question", " abcd ", minimum=5, maximum=100)
    assert validation.text("Question", "abcde", minimum=5, maximum=100) == "abcde"


# --- résumés ------------------------------------------------------------------------------

def test_a_real_pdf_and_a_real_docx_are_accepted():
    assert validation.resume("CV Ada.PDF", make_pdf()) == ("pdf", "application/pdf")
    assert validation.resume("cv.docx", make_docx()) == ("docx", DOCX_TYPE)


def test_a_pdf_with_a_little_junk_before_its_header_is_still_a_pdf():
    assert validation.resume("cv.pdf", b"\xef\xbb\xbf" + make_pdf())[0] == "pdf"


@pytest.mark.parametrize("name, data", [
    ("cv.pdf", make_docx()),                            # a Word document named .pdf
    ("cv.pdf", b"Ada Lovelace\nAnalyst\n" * 20),        # a text file renamed .pdf
    ("cv.pdf", make_pdf()[:-200]),                      # cut off: no end marker
    ("cv.pdf", b"%%EOF " + b"x" * 2000 + b" %PDF-1.4"),  # both markers, the wrong way round
])
def test_a_pdf_name_on_something_else_is_refused(name, data):
    with pytest.raises(ValidationError, match="is not a PDF document"):
        validation.resume(name, data)


@pytest.mark.parametrize("data", [
    make_pdf(),                                          # a PDF named .docx
    b"PK\x03\x04 not really a zip",
    b"Ada Lovelace, analyst",
])
def test_a_docx_name_on_something_else_is_refused(data):
    with pytest.raises(ValidationError, match="is not a Word document"):
        validation.resume("cv.docx", data)


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")  # a spreadsheet
    with pytest.raises(ValidationError, match="is not a Word document"):
        validation.resume("cv.docx", out.getvalue())


def test_a_word_document_with_macros_is_refused():
    data = with_macros(make_docx())
    with pytest.raises(ValidationError, match="contains macros"):
        validation.resume("cv.docx", data)


def test_resumes_are_at_most_five_megabytes():
    pdf = make_pdf()
    padding = validation.MAX_RESUME_BYTES - len(pdf)
    at_limit = pdf[:-6] + b" " * padding + pdf[-6:]  # still ends with %%EOF
    assert len(at_limit) == validation.MAX_RESUME_BYTES
    assert validation.resume("cv.pdf", at_limit)[0] == "pdf"
    with pytest.raises(ValidationError, match=r"5\.0 MB; résumés can be at most 5 MB"):
        validation.resume("cv.pdf", at_limit[:-6] + b" " + at_limit[-6:])


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="is empty"):
        validation.resume("cv.pdf", b"")


@pytest.mark.parametrize("name", ["cv.doc", "cv.txt", "cv.pdf.exe", "cv", "cv.", ".pdf.html",
                                  "cv.docm"])
def test_other_extensions_are_refused_whatever_the_content(name):
    with pytest.raises(ValidationError, match="is not a PDF or Word"):
        validation.resume(name, make_pdf())


# --- tracked links ------------------------------------------------------------------------

def test_no_parameters_is_a_direct_visit():
    source = TrackedSource.from_params({})
    assert source == TrackedSource() and source.is_direct
    assert source.query() == {} and source.label() == "direct"


def test_tracked_parameters_are_read_tidied_and_labelled():
    post = uuid4()
    source = TrackedSource.from_params({
        "utm_source": " LinkedIn ", "utm_medium": "Paid Social", "utm_campaign": "Spring-2026",
        "post": f" {post} ", "ref": "TOM.42", "unrelated": "x"})
    assert source == TrackedSource("linkedin", "paid_social", "spring-2026", post, "tom.42")
    assert not source.is_direct
    assert source.label() == "linkedin / paid_social / spring-2026"


def test_a_referral_code_alone_makes_the_source_referral():
    source = TrackedSource.from_params({"ref": "abc123"})
    assert (source.source, source.referral_code) == ("referral", "abc123")
    assert source.query() == {"ref": "abc123"}


@pytest.mark.parametrize("post", ["not-a-uuid", "1234", "'; drop table jobs; --", "x" * 5000,
                                  # a UUID with a character too many (fixed: every test
                                  # worker must collect the same test ids)
                                  "4b0f6a1e-9a43-4c55-8d6e-2f1c3b7a9e510", ""])
def test_a_bad_post_id_is_dropped_not_an_error(post):
    source = TrackedSource.from_params({"post": post, "utm_source": "newsletter"})
    assert source.post_id is None and source.source == "newsletter"


def test_junk_values_are_cleaned_and_bounded():
    source = TrackedSource.from_params({
        "utm_source": "<script>alert(1)</script>", "utm_medium": "x" * 500,
        "utm_campaign": "Été 2026 / ünïcode!", "ref": "R" * 200})
    assert source.source == "scriptalert1script"
    assert source.medium == "x" * 100
    assert source.campaign == "t_2026__ncode"
    assert source.referral_code == "r" * 64
    # Nothing survives but letters, digits and _.-
    for value in (source.source, source.medium, source.campaign, source.referral_code):
        assert set(value) <= set("abcdefghijklmnopqrstuvwxyz0123456789_.-")


@pytest.mark.parametrize("value", ["", "   ", "!!!", "€€€", None])
def test_values_that_clean_to_nothing_are_absent(value):
    source = TrackedSource.from_params({"utm_source": value, "utm_medium": value, "ref": value})
    assert source == TrackedSource()


@pytest.mark.parametrize("params", [
    {},
    {"utm_source": "newsletter"},
    {"utm_source": "linkedin", "utm_medium": "social", "utm_campaign": "spring",
     "post": str(uuid4())},
    {"ref": "tom42"},
    {"ref": "tom42", "utm_source": "whatsapp"},
    {"utm_source": "referral"},            # said outright, without a code
    {"utm_source": "direct", "ref": "tom42"},
    {"utm_campaign": "only-a-campaign"},
])
def test_query_round_trips(params):
    source = TrackedSource.from_params(params)
    assert TrackedSource.from_params(source.query()) == source


def test_job_link_keeps_the_tracked_parameters():
    job, post = uuid4(), uuid4()
    source = TrackedSource.from_params({"utm_source": "linkedin", "utm_medium": "social",
                                        "utm_campaign": "spring", "post": str(post), "ref": "tom42"})
    link = job_link("https://jobs.example.com/", job, source)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "jobs.example.com", "/job")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert UUID(query.pop("id")) == job
    assert TrackedSource.from_params(query) == source


def test_job_link_without_a_source_has_only_the_job():
    job = uuid4()
    assert job_link("http://localhost:8501", job) == f"http://localhost:8501/job?id={job}"
    assert job_link("http://localhost:8501", job, TrackedSource()) == \
        f"http://localhost:8501/job?id={job}"


# --- private links --------------------------------------------------------------------------

def test_new_tokens_are_plausible_distinct_and_stored_only_as_their_hash():
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(plausible_token(t) for t in tokens)
    token = tokens.pop()
    assert token_hash(token) == hashlib.sha256(token.encode()).digest()
    assert token.encode() not in token_hash(token)


@pytest.mark.parametrize("token", [None, "", "a" * 19, "a" * 65, "a" * 30 + "/", "a" * 30 + "=",
                                   "ä" * 30, "a" * 30 + "\n"])
def test_implausible_tokens_are_recognised(token):
    assert not plausible_token(token)


def test_follow_links_carry_the_token_under_its_kind():
    assert links.follow_link("question", "abc_DEF-123") == \
        "http://localhost:8501/follow?question=abc_DEF-123"


# --- where résumés are kept ---------------------------------------------------------------

def test_the_local_store_keeps_files_private_under_its_own_keys(tmp_path: Path):
    store = LocalStore(tmp_path / "resumes")
    pdf = make_pdf()
    key = store.save(pdf, "pdf", "application/pdf")
    assert key.endswith(".pdf") and "/" not in key
    assert store.read(key) == pdf
    assert stat.S_IMODE((tmp_path / "resumes" / key).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "resumes").stat().st_mode) == 0o700
    assert store.save(pdf, "pdf", "application/pdf") != key  # never overwrites
    store.delete(key)
    store.delete(key)  # already gone: fine
    with pytest.raises(FileNotFoundError):
        store.read(key)


@pytest.mark.parametrize("key", ["../secret.pdf", "/etc/passwd", "sub/x.pdf", "", "."])
def test_the_local_store_refuses_keys_outside_its_folder(tmp_path: Path, key):
    (tmp_path / "secret.pdf").write_bytes(b"secret")
    store = LocalStore(tmp_path / "resumes")
    with pytest.raises(ValueError, match="not a résumé key"):
        store.read(key)
    with pytest.raises(ValueError, match="not a résumé key"):
        store.delete(key)
    assert (tmp_path / "secret.pdf").exists()


def test_without_supabase_storage_resumes_stay_in_the_data_folder(tmp_path: Path):
    for config in (Settings(data_dir=tmp_path),
                   Settings(data_dir=tmp_path, database_url="postgresql://db.example.com/app"),
                   Settings(data_dir=tmp_path, database_url="postgresql://db.example.com/app",
                            supabase_url="https://x.supabase.co")):  # no service key
        plain = resume_store(config)
        assert isinstance(plain, LocalStore) and plain.root == tmp_path / "resumes"
    # The embedded database never uses Supabase Storage, whatever keys are configured.
    embedded = resume_store(Settings(data_dir=tmp_path, supabase_url="https://x.supabase.co",
                                     supabase_service_key="secret"))
    assert isinstance(embedded, LocalStore)


@pytest.mark.parametrize(("value", "what"), [
    ("Ada\x00", "a NUL character"), ("Ada\x07", "an invisible control character (U+0007)"),
    ("A\x7fda", "an invisible control character (U+007F)"),
    ("Team\nSlack", "a line break or tab"), ("Team\tSlack", "a line break or tab")])
def test_a_single_line_refuses_control_characters_naming_the_field(value, what):
    with pytest.raises(ValidationError, match=f"^Channel name: remove {re.escape(what)}"):
        validation.text("Channel name", value, maximum=60, single_line=True)


def test_text_keeps_line_breaks_and_tabs_but_refuses_nul():
    assert validation.text("Note", "one\n\ttwo", maximum=60) == "one\n\ttwo"
    with pytest.raises(ValidationError, match="^Note: remove a NUL character"):
        validation.text("Note", "one\x00two", maximum=60)


@pytest.mark.parametrize(("check", "label"), [
    (validation.full_name, "Name"), (validation.email_address, "Email address"),
    (validation.new_password, "Password")])
def test_names_emails_and_passwords_refuse_nul(check, label):
    with pytest.raises(ValidationError, match=f"^{label}: remove a NUL character"):
        check("ada.lovelace\x00@example.com")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_numbers_refuse_nan_and_infinity(value):
    with pytest.raises(ValidationError, match="^Rate must be a number between 0 and 1"):
        validation.number("Rate", value, minimum=0, maximum=1)
    with pytest.raises(ValidationError, match="^Salary must be a number"):
        validation.money_amount("Salary", value)


def test_a_form_check_names_every_problem_at_once():
    with pytest.raises(ValidationError) as refused:
        applications.check_form(applications.ApplicationForm(full_name="", email="nobody", phone="12",
                                                             consent=False))
    assert [field for field, _ in refused.value.problems] == ["full_name", "email", "phone", "consent"]
    assert "Enter a name." in str(refused.value) and "privacy notice" in str(refused.value)


def test_a_form_check_names_a_bad_resume_with_the_other_problems():
    with pytest.raises(ValidationError) as refused:
        applications.check_form(applications.ApplicationForm(full_name="Ada", email="nobody", consent=True),
                                applications.Resume("cv.txt", b"hello"))
    assert [field for field, _ in refused.value.problems] == ["email", "resume"]
    assert "is not a PDF or Word (.docx) file" in dict(refused.value.problems)["resume"]


def test_a_question_names_every_problem_at_once():
    with pytest.raises(ValidationError) as refused:
        questions.ask(Actor.visitor(), "Visa?", email="nope", session_id="s")
    assert [field for field, _ in refused.value.problems] == ["body", "email"]
