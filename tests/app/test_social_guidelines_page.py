"""The admin's Social media guidelines page through AppTest: editing the guidelines (bad
input refused, nothing typed lost) and trying a post against them."""

from __future__ import annotations

from portal.ui import highlighted
from services import demo
from services.social.guidelines import load_guidelines
from tests.app.helpers import assert_errors, assert_no_exception, open_page, signed_in, texts

PAGE = "pages/admin/social_guidelines.py"
SAVE = "FormSubmitter:guidelines-Save guidelines"
CHECK = "FormSubmitter:try-post-Check the post"


def test_admin_edits_the_guidelines_and_bad_input_is_kept(demo_db):
    admin = signed_in("admin@example.com")
    at = open_page(PAGE, admin)
    assert "Social media guidelines" in texts(at)
    terms, disclosures = at.text_area[0], at.text_area[1]
    assert "#ad" in disclosures.value.splitlines()

    terms.input("Project Falcon\nx")  # "x" is too short
    at.button(key=SAVE).click().run()
    assert_errors(at, "Confidential terms, line 2")
    assert at.text_area[0].value == "Project Falcon\nx"  # nothing typed is lost
    assert load_guidelines(admin).confidential_terms == tuple(demo.CONFIDENTIAL_TERMS)

    at.text_area[0].input("Project Falcon\nContoso")
    at.text_area[1].input("I work at Northwind")
    at.checkbox[1].check()
    at.button(key=SAVE).click().run()
    assert_no_exception(at)
    saved = load_guidelines(admin)
    assert saved.confidential_terms == ("Project Falcon", "Contoso")
    assert saved.disclosures == ("I work at Northwind",) and saved.disclosure_internal
    assert at.text_area[0].value == "Project Falcon\nContoso"


def test_trying_a_post_shows_findings_and_length(demo_db):
    admin = signed_in("admin@example.com")
    at = open_page(PAGE, admin)
    at.text_area[0].input("Project Falcon")
    at.button(key=SAVE).click().run()

    post = "Rockstar wanted for #ProjectFalcon! Mail jane@example.com [click](javascript:alert(1))"
    at.text_area[2].input(post)
    at.selectbox[0].select("x")
    at.button(key=CHECK).click().run()
    assert_errors(at, "Blocking this post: 3 findings.", "is on the list of confidential terms",
                  "Remove the email address", "must say that the author works for the company")
    page = texts(at)
    assert "of 280 characters on X" in page
    assert "Blocking this post: 3 findings." in page  # the term, the email, no disclosure
    assert "is on the list of confidential terms" in page
    assert "Remove the email address" in page
    assert "must say that the author works for the company" in page
    assert "“Rockstar” is masculine-coded" in page and "Try: expert, skilled engineer" in page
    # the post is shown as text, its spans marked; its own Markdown does nothing
    assert highlighted(post, [(0, 8, "orange"), (20, 34, "red"), (41, 57, "red")]) in \
        [m.value for m in at.markdown]


def test_a_clean_post_passes(demo_db):
    at = open_page(PAGE, signed_in("admin@example.com"))
    at.text_area[2].input("We're hiring a data engineer in Berlin: https://northwind.com/job?id=1")
    at.radio[0].set_value("internal")
    at.button(key=CHECK).click().run()
    assert_no_exception(at)
    assert "Nothing to fix" in texts(at)
    assert "63 of 280 characters on X." in texts(at)  # the link counts 23
