"""The career site in Chromium, served by the portal's own server beside the Streamlit pages: the
board, a job with its JobPosting data, Apply leading into the portal, a shared job link's
preview tags on the real Streamlit shell, and a short referral link."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.models import Role
from services.postings import career_site, tracking
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.db.rows import add_account, add_job


def test_a_candidate_finds_a_job_on_the_career_site_and_applies_in_the_portal(demo_db, app_url, page: Page):
    jobs, company = career_site.every_open_job()
    newest = jobs[0]

    page.goto(f"{app_url}/careers")
    expect(page.get_by_role("heading", name="Open jobs")).to_be_visible()
    expect(page.locator("ul.jobs li")).to_have_count(len(jobs))
    screenshot(page, "career-site-board")

    page.get_by_role("link", name=newest.job.title, exact=True).click()
    expect(page).to_have_url(f"{app_url}{newest.path}")
    expect(page.get_by_role("heading", name=newest.job.title)).to_be_visible()
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "JobPosting" and data["title"] == newest.job.title
    assert data["hiringOrganization"]["name"] == company.name
    screenshot(page, "career-site-job")

    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "career-site-job-phone")
    page.set_viewport_size({"width": 1400, "height": 900})

    page.get_by_role("link", name="Apply for this job").first.click()
    expect(page).to_have_url(f"{app_url}/job?id={newest.job.id}")
    expect(page.get_by_role("heading", name=newest.job.title)).to_be_visible()
    settle(page)


def test_a_shared_job_link_previews_as_the_job(demo_db, app_url):
    jobs, company = career_site.every_open_job()
    job = jobs[0].job
    # What a link previewer does: fetch the address and read the <head>, no JavaScript.
    request = urllib.request.Request(f"{app_url}/job?id={job.id}&utm_source=linkedin",
                                     headers={"Accept-Encoding": "gzip", "User-Agent": "LinkedInBot/1.0"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
        assert response.headers.get("Content-Encoding") is None
        html = response.read().decode()
    assert f"<title>{job.title} — {company.name}</title>" in html
    assert f'<meta property="og:title" content="{job.title} — {company.name}">' in html
    assert "<title>Streamlit</title>" not in html and 'id="root"' in html


DESKTOP_CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                  " Chrome/131.0 Safari/537.36")


def test_an_alumnus_short_link_counts_one_visit_and_lands_on_the_job(demo_db, app_url, page: Page, browser):
    sign_in(page, app_url, "tom@example.com")
    sidebar_nav(page).get_by_text("Refer someone").click()
    short = page.locator("code").filter(has_text="/r/").first
    expect(short).to_be_visible()
    code = short.text_content().strip().rsplit("/r/", 1)[1]
    destination = tracking.follow_short_link(code, uuid4(), bot=True)  # where it leads; a bot's look
    visits_before = job_visits(demo_db, destination.job_id)

    # A friend opens it in an ordinary browser (headless Chromium names itself a bot).
    friend = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=DESKTOP_CHROME)
    friend_page = friend.new_page()
    friend_page.goto(f"{app_url}/r/{code}")
    expect(friend_page).to_have_url(re.compile(rf"/job\?id={destination.job_id}&ref=.*&visit="))
    expect(friend_page.get_by_role("button", name="Send application")).to_be_visible()
    settle(friend_page)
    screenshot(friend_page, "short-link-job-phone")
    friend.close()
    assert job_visits(demo_db, destination.job_id) == visits_before + 1


def job_visits(engine, job_id) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("select count(*) from public.job_visits where job_id = :job"),
                            {"job": job_id}).scalar_one()


def test_images_in_a_job_description_are_never_fetched(clean_db, app_url, page: Page):
    add_account(clean_db, "admin@example.com", role=Role.ADMIN)  # past the first-run screen
    job_id = add_job(clean_db, "Pixel Lead", published_at=datetime.now(UTC), description=(
        "Intro ![pixel](https://tracker.example/p.png) [data](data:text/html,hi) [site](https://ok.example)"))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for address in (f"/job?id={job_id}", f"/careers/pixel-lead-{job_id}"):
        page.goto(app_url + address)
        expect(page.get_by_text("[pixel]")).to_be_visible()
        expect(page.get_by_role("link", name="site")).to_have_attribute("href", "https://ok.example")
        expect(page.get_by_role("link", name="data")).to_have_count(0)
    assert not [url for url in requested if "tracker.example" in url]
