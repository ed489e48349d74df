"""The candidate's pages on a phone (390×844, issue 18), in Chromium on the demo data: the
board, a job's page, its application form after a failed submit (each problem under its
field, what was typed kept), Q&A with a failed question, and the follow page. Each is
screenshotted (tests/browser/screenshots/phone-*.png) and none scrolls sideways."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import CLIPPED, screenshot, settle

PHONE = {"width": 390, "height": 844}
BACKEND = "Senior Backend Engineer (Python)"

# Wider than the screen: the document, or any element of the page that scrolls sideways
# (Streamlit's main area scrolls on its own), or the text of a widget cut at its right edge.
_SIDEWAYS = """() => {
    const wide = [];
    if (document.documentElement.scrollWidth > window.innerWidth) wide.push("document");
    const areas = ["stMain", "stAppViewContainer", "stVerticalBlock", "stHorizontalBlock"]
        .map((id) => `[data-testid="${id}"]`).join(", ");
    for (const element of document.querySelectorAll(areas)) {
        const id = element.dataset.testid;
        if (element.scrollWidth > element.clientWidth + 1) wide.push(id);
        const box = element.getBoundingClientRect();
        if (box.width > 0 && box.right > window.innerWidth + 1) wide.push(id + " past the edge");
    }
    return wide;
}"""

def phone_screen(page: Page, name: str) -> None:
    """Screenshots of what the phone shows first (phone-<name>.png) and of the whole page
    (phone-<name>-whole.png: Streamlit's main area scrolls on its own, so a "full page"
    screenshot is one screen; the screen is made as tall as the page for it); neither
    scrolls sideways."""
    settle(page)
    screenshot(page, f"phone-{name}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    assert page.evaluate(_SIDEWAYS) == [], name
    assert page.evaluate(CLIPPED) == [], name
    height = page.evaluate('document.querySelector(\'[data-testid="stMain"]\').scrollHeight')
    page.set_viewport_size({"width": PHONE["width"], "height": max(PHONE["height"], height)})
    try:
        settle(page)
        screenshot(page, f"phone-{name}-whole")
        assert page.evaluate(_SIDEWAYS) == [], name
    finally:
        page.set_viewport_size(PHONE)


def test_the_candidates_pages_fit_a_phone(demo_db, app_url, browser):
    with demo_db.connect() as conn:
        job_id = conn.execute(sa.text("select id from public.jobs where title = :t"),
                              {"t": BACKEND}).scalar_one()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{app_url}/")
        expect(page.get_by_role("heading", name=BACKEND)).to_be_visible()
        expect(page.get_by_role("link", name="Read the answers")).to_be_attached()  # the page's end
        phone_screen(page, "board")

        page.goto(f"{app_url}/job?id={job_id}")
        expect(page.get_by_role("heading", name=BACKEND)).to_be_visible()
        expect(page.get_by_role("button", name="Send application")).to_be_attached()
        phone_screen(page, "job")
        # On a phone the form is under the whole description: a link at the top goes to it.
        page.get_by_role("link", name="Apply for this job").click()
        expect(page.get_by_role("heading", name="Apply", exact=True)).to_be_in_viewport()
        expect(page.get_by_label("Full name")).to_be_in_viewport()
        screenshot(page, "phone-job-apply-link")

        # A failed submit: every problem at the top and under its field, nothing typed lost.
        page.get_by_label("Full name").fill("Ada Lovelace")
        page.get_by_label("Email").fill("ada-at-example.org")
        page.get_by_label("Phone (optional)").fill("call me")
        page.get_by_role("button", name="Send application").click()
        expect(page.get_by_text("Fix these and try again")).to_be_visible()
        settle(page)
        for problem in ("is not a valid email address", "does not look like a phone number",
                        "agree to the privacy notice"):
            expect(page.get_by_text(problem)).to_have_count(2)  # in the box and under the field
        # where the phone is (at the button), a word that nothing was sent
        expect(page.get_by_text("fix the 3 problems shown above")).to_be_in_viewport()
        expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")
        expect(page.get_by_label("Phone (optional)")).to_have_value("call me")
        phone_screen(page, "apply-failed")

        page.get_by_label("Email").fill("ada@example.org")
        page.get_by_label("Phone (optional)").fill("")
        page.get_by_text("I have read the privacy notice").click()
        page.get_by_role("button", name="Send application").click()
        expect(page.get_by_text("your application has been received")).to_be_visible()
        phone_screen(page, "applied")
        link = page.locator("code").filter(has_text="/follow?application=").inner_text().strip()

        page.goto(f"{app_url}/questions")
        expect(page.get_by_role("heading", name="Questions & answers")).to_be_visible()
        expect(page.get_by_role("heading", name="About working here")).to_be_attached()
        phone_screen(page, "questions")
        page.get_by_placeholder("Can I work remotely", exact=False).fill("Visa?")
        page.get_by_role("textbox", name="Email for the answer (optional)").fill("nope")
        page.get_by_role("button", name="Ask", exact=True).click()
        expect(page.get_by_text("Fix these and try again")).to_be_visible()
        expect(page.get_by_text("is not a valid email address")).to_have_count(2)
        phone_screen(page, "question-failed")

        page.goto(app_url + "/follow?" + link.split("?", 1)[1])
        expect(page.get_by_text("Received")).to_be_visible()
        expect(page.get_by_test_id("stPageLink-NavLink").filter(has_text="Open jobs")).to_be_attached()
        phone_screen(page, "follow")
    finally:
        context.close()
