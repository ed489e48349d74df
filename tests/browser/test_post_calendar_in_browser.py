"""The admin sets up a LinkedIn channel with weekday slots; the recruiter schedules an
approved post at the next free slot, sees it on the week view, follows the share link's
tracked link to the job page and marks the post published."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from services.social import channels as social_channels
from services.social import posts as social_posts
from services.social import review as post_review
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.support import signed_in


def _approved_post_on(demo_db, channel_name: str):
    admin, recruiter = signed_in("admin@example.com"), signed_in("recruiter@example.com")
    social_channels.grant_role(admin, recruiter.user_id, "publisher")
    (channel,) = [c for c in social_channels.list_channels(admin) if c.name == channel_name]
    with demo_db.begin() as conn:
        job, title = conn.execute(sa.text("select id, title from public.jobs where status = 'published'"
                                          " order by title limit 1")).one()
        topic = conn.execute(sa.text("insert into public.social_topics (name) values ('Open roles')"
                                     " returning id")).scalar_one()
    post_id = social_posts.compose(recruiter, job, channel.id, f"We are hiring: {title}. <b>Join us</b>!",
                                   topic)
    social_posts.submit(recruiter, post_id)
    post_review.approve(admin, post_id)
    return post_id, title


def test_channel_setup_then_schedule_share_and_mark_published(demo_db, app_url, page: Page):
    with demo_db.begin() as conn:  # the admin sets social media up from nothing
        conn.execute(sa.text("truncate public.social_posts, public.social_channels, public.social_roles,"
                             " public.social_topics cascade"))
    page.set_viewport_size({"width": 1500, "height": 1800})
    sign_in(page, app_url, "admin@example.com")
    sidebar_nav(page).get_by_text("Social channels").click()
    expect(page.get_by_role("heading", name="Social channels")).to_be_visible()
    page.get_by_role("textbox", name="Name").first.fill("Company LinkedIn")
    page.get_by_role("button", name="Add channel").click()
    expect(page.get_by_text("Channel “Company LinkedIn” added.")).to_be_visible()
    settle(page)
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        page.get_by_role("textbox", name=day, exact=True).fill("10:00, 16:00")
    page.get_by_role("button", name="Save slots").click()
    expect(page.get_by_text("Slots saved.")).to_be_visible()
    settle(page)
    (linkedin,) = social_channels.list_channels(signed_in("admin@example.com"))  # the table is a canvas
    assert [str(s) for s in linkedin.slots][:3] == ["Mon 10:00", "Mon 16:00", "Tue 10:00"]
    screenshot(page, "admin-social-channels")

    post_id, title = _approved_post_on(demo_db, "Company LinkedIn")
    sign_in(page, app_url, "recruiter@example.com")  # a new page load is a new session
    settle(page)
    sidebar_nav(page).get_by_text("Posting calendar").click()
    expect(page.get_by_role("heading", name="Posting calendar")).to_be_visible()
    schedule = page.get_by_role("button", name="Schedule at next free slot")
    expect(schedule).to_be_visible()
    schedule.click()
    # the notice at the top (the post is also listed, "Scheduled for …", under Due to publish)
    expect(page.get_by_text("Scheduled for").first).to_be_visible()
    settle(page)
    # on the week view, at its slot, with the post's markup shown as text
    entry = page.get_by_test_id("stMarkdownContainer").filter(has_text="Scheduled").filter(
        has_text=title).filter(has_text="Company LinkedIn").first
    expect(entry).to_be_visible()
    expect(page.get_by_text("<b>Join us</b>").first).to_be_visible()
    expect(page.locator("[data-testid='stMarkdownContainer'] b", has_text="Join us")).to_have_count(0)
    screenshot(page, "recruiter-post-calendar")

    share = page.get_by_role("link", name="Share on LinkedIn")
    href = share.get_attribute("href")
    assert href.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    tracked = parse_qs(urlsplit(href).query)["url"][0]
    assert f"post={post_id}" in tracked and "utm_source=linkedin" in tracked
    visitor = page.context.new_page()  # the tracked link leads to the job's page
    visitor.goto(tracked.replace("http://localhost:8501", app_url))
    expect(visitor.get_by_role("heading", name=title)).to_be_visible()
    visitor.close()

    page.get_by_role("textbox", name="Link to the live post (optional)").fill("linkedin.com/feed/1")
    page.get_by_role("button", name="Mark published").click()
    expect(page.get_by_text("must start with https")).to_be_visible()
    settle(page)
    page.get_by_role("textbox", name="Link to the live post (optional)").fill(
        "https://www.linkedin.com/feed/update/urn:li:activity:1")
    page.get_by_role("button", name="Mark published").click()
    expect(page.get_by_text("Marked published.")).to_be_visible()
    settle(page)
    expect(page.get_by_text("No posts are waiting to be shared by hand.")).to_be_visible()
    assert social_posts.post(signed_in("admin@example.com"), post_id).status == "published"
    screenshot(page, "recruiter-post-calendar-published")
