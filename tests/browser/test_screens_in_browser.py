"""Steps people look for (issue 18), in Chromium: a filtered job board is in the address
and opens again as it was (at 1400×900 and on a phone), bad values in it are ignored; a
recruiter's Job postings filters likewise; an alumna opens one of her referrals from My
referrals, and another alumnus who opens its address reads "Referral not found"."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from services.referrals import submission
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.support import signed_in

PHONE = {"width": 390, "height": 844}


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def job_cards(page: Page):
    """The board's jobs' titles: each card's one Markdown text opens with a level-3 heading."""
    return page.get_by_test_id("stMarkdown").get_by_role("heading", level=3)


def job_titles(page: Page) -> list[str]:
    return [title.strip() for title in job_cards(page).all_inner_texts()]


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_a_filtered_board_is_kept_in_its_address(demo_db, app_url, page: Page, browser):
    page.goto(f"{app_url}/")
    settle(page)
    everything = job_titles(page)
    search = page.get_by_role("textbox", name="Search jobs")
    search.fill("engineer")
    search.press("Enter")
    choose(page, "Remote", "Remote")
    expect(page).to_have_url(re.compile(r"remote=Remote"))
    assert query(page) == {"q": ["engineer"], "remote": ["Remote"]}
    # the board's rerun is over once a job that is not remote has gone
    expect(page.get_by_role("heading", name="Senior Backend Engineer (Python)")).to_have_count(0)
    settle(page)
    filtered = job_titles(page)
    assert {"Site Reliability Engineer", "Machine Learning Engineer"} <= set(filtered)
    assert len(filtered) < len(everything)
    screenshot(page, "board-filtered-in-url")
    shared = page.url

    # Someone else opens the shared address: the same search, the same jobs.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(shared)
    settle(phone)
    expect(phone.get_by_role("textbox", name="Search jobs")).to_have_value("engineer")
    expect(phone.get_by_role("combobox", name="Remote")).to_have_value("Remote")
    expect(job_cards(phone)).to_have_count(len(filtered))
    assert job_titles(phone) == filtered
    screenshot(phone, "board-filtered-from-url-phone")

    # A job's page leads back to the board as it was filtered.
    page.get_by_role("link", name="View and apply").first.click()
    expect(page).to_have_url(re.compile(r"/job\?"))  # the board's headings are job titles too
    expect(page.get_by_role("heading", name=filtered[0])).to_be_visible()
    page.get_by_role("link", name="All open jobs").click()
    expect(page.get_by_role("textbox", name="Search jobs")).to_have_value("engineer")
    expect(page.get_by_role("heading", name=filtered[-1])).to_be_visible()
    expect(page.get_by_role("heading", name="Senior Backend Engineer (Python)")).to_have_count(0)
    settle(page)
    assert query(page) == {"q": ["engineer"], "remote": ["Remote"]}
    assert job_titles(page) == filtered

    # Clearing a filter takes it out of the address.
    choose(page, "Remote", "On site or remote")
    expect(page).not_to_have_url(re.compile(r"remote="))
    assert query(page) == {"q": ["engineer"]}

    # Values the board does not know are dropped from the address, without an error.
    phone.goto(f"{app_url}/?remote=Nowhere&department=%3Cscript%3Ealert(1)%3C/script%3E&type=")
    settle(phone)
    expect(phone.get_by_role("heading", name="Senior Backend Engineer (Python)")).to_be_visible()
    assert not phone.get_by_test_id("stAlertContentError").count()
    assert "remote" not in query(phone) and "department" not in query(phone)
    phone.context.close()


def test_job_postings_filters_are_kept_in_the_address(demo_db, app_url, page: Page):
    sign_in(page, app_url, "recruiter@example.com")
    page.goto(f"{app_url}/postings?status=Published&status=Closed&q=engineer&department=Nope")
    expect(page.get_by_role("heading", name="Job postings")).to_be_visible()
    settle(page)
    expect(page.get_by_role("textbox", name="Search")).to_have_value("engineer")
    status = page.get_by_test_id("stMultiSelect")
    expect(status).to_contain_text("Published")
    expect(status).to_contain_text("Closed")
    expect(status).not_to_contain_text("Draft")
    assert "department" not in query(page)
    screenshot(page, "postings-filtered-from-url")
    # The board's search ("q" there too) does not leak into the list's.
    page.goto(f"{app_url}/?q=TypeScript")
    settle(page)
    sidebar_nav(page).get_by_role("link", name="Job postings").click()
    expect(page.get_by_role("heading", name="Job postings")).to_be_visible()
    settle(page)
    expect(page.get_by_role("textbox", name="Search")).to_have_value("")


def test_an_alumna_opens_her_referral_and_nobody_else_can(demo_db, app_url, page: Page):
    sign_in(page, app_url, "priya@example.com")
    expect(page.get_by_role("heading", name="My referrals")).to_be_visible()
    settle(page)
    with demo_db.connect() as conn:
        newest = conn.execute(sa.text(
            "select r.id, coalesce(c.full_name, '—') from public.referrals r"
            " join public.profiles p on p.id = r.referrer_id"
            " left join public.candidates c on c.id = r.candidate_id and r.outcome = 'owner'"
            " where p.email = 'priya@example.com' order by r.created_at desc, r.id limit 1")).one()
    # the first card's link (the newest referral)
    page.get_by_role("link", name="Open: timeline, bonus, messages").first.click()
    expect(page).to_have_url(re.compile(rf"/referral\?id={newest[0]}$"))
    expect(page.get_by_role("heading", name=newest[1])).to_be_visible()
    expect(page.get_by_text("Points earned")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    settle(page)
    screenshot(page, "alumnus-referral-page")
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()  # it closes on a phone
    page.wait_for_timeout(300)
    screenshot(page, "alumnus-referral-page-phone")
    page.set_viewport_size({"width": 1400, "height": 900})
    address = page.url

    sign_in(page, app_url, "tom@example.com")
    page.goto(address)
    expect(page.get_by_role("heading", name="Referral not found")).to_be_visible()
    expect(page.get_by_text(newest[1], exact=True)).to_have_count(0)
    settle(page)
    screenshot(page, "alumnus-referral-not-found")


def test_an_alumna_refers_from_a_jobs_page(demo_db, app_url, page: Page):
    sign_in(page, app_url, "priya@example.com")
    sidebar_nav(page).get_by_role("link", name="Open jobs").click()
    settle(page)
    # The board's cards are headed by job titles as the job's page is: open the card's own link
    # (the board's order follows publication, so the first card is not always this job).
    title = page.get_by_role("heading", name="Senior Backend Engineer (Python)")
    card = page.get_by_test_id("stVerticalBlock").filter(has=title).filter(
        has=page.get_by_role("link", name="View and apply")).last
    card.get_by_role("link", name="View and apply").click()
    expect(page).to_have_url(re.compile(r"/job\?"))
    expect(title).to_be_visible()
    settle(page)
    screenshot(page, "alumnus-job-page-refer")
    page.get_by_role("link", name="Refer someone for this job").click()
    expect(page.get_by_role("heading", name="Refer someone")).to_be_visible()
    expect(page.get_by_role("combobox", name="Job")).to_have_value(
        "Senior Backend Engineer (Python) (Engineering)")
    settle(page)
    screenshot(page, "alumnus-refer-for-the-job")


def test_a_referrers_board_link_opens_the_board_without_a_notice(demo_db, app_url, page: Page):
    """An alumnus's link to the whole board (Refer someone lists it) opens the board itself,
    with no "Page not found" notice, and carries the referral on to each job."""
    link = submission.my_links(signed_in("priya@example.com")).board
    code = parse_qs(urlsplit(link).query)["ref"][0]
    page.goto(f"{app_url}{urlsplit(link).path}?{urlsplit(link).query}")
    expect(page.get_by_role("heading", name="Senior Backend Engineer (Python)")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    href = page.get_by_role("link", name="View and apply").first.get_attribute("href")
    assert f"ref={code}" in href
