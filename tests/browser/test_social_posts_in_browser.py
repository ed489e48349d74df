"""A publisher drafts a post for a posting in Chromium and submits it; another approver
signs in, finds it in Post approvals and approves it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from services.social import posts as social_posts
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.db.rows import short_link_query
from tests.db.social_world import make_world


def test_a_post_is_composed_submitted_and_approved(clean_db, app_url, page: Page, browser):
    world = make_world(clean_db)
    sign_in(page, app_url, world.publisher.email)
    # Reloading would sign out: reach the posting from the list, by choosing its row.
    sidebar_nav(page).get_by_text("Job postings").click()
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    settle(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection cell
    expect(page.get_by_role("heading", name="Data Engineer")).to_be_visible()
    page.get_by_role("tab", name="Channel posts").click()
    page.get_by_test_id("stMultiSelect").click()
    page.get_by_role("option", name="Company X (external)").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Draft").click()
    text = page.get_by_role("textbox", name="Text for Company X")
    expect(text).to_be_visible()
    expect(page.get_by_text("No OpenAI API key is set")).to_be_visible()
    text.fill("We're hiring a Data Engineer in Berlin (hybrid)! Join our team of rockstars.\n\n"
              + text.input_value().rsplit("\n", 1)[1])
    page.keyboard.press("Control+Enter")  # the text area sends what was typed
    expect(page.get_by_text("masculine-coded")).to_be_visible()  # advice, shown beside the text
    settle(page)
    screenshot(page, "social-post-composer")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Submitted 1 post")).to_be_visible()
    settle(page)
    screenshot(page, "social-post-submitted")
    [post] = social_posts.posts_for_job(world.admin, world.job)
    assert post.status == "submitted" and "rockstars" in post.body
    assert short_link_query(clean_db, post.body.rsplit(maxsplit=1)[1])["post"] == str(post.id)

    approver = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    sign_in(approver, app_url, world.second_approver.email)
    sidebar_nav(approver).get_by_text("Post approvals").click()
    expect(approver.get_by_role("heading", name="Post approvals")).to_be_visible()
    expect(approver.get_by_text("Data Engineer · Company X")).to_be_visible()
    expect(approver.get_by_role("textbox", name="Comment (required to reject)")).to_be_visible()
    settle(approver)
    screenshot(approver, "social-post-approvals")
    approver.get_by_role("button", name="Approve").click()
    expect(approver.get_by_text("Approved the post for Company X.")).to_be_visible()
    assert social_posts.post(world.admin, post.id).status == "approved"
    settle(approver)
    screenshot(approver, "social-post-approved")
    sidebar_nav(approver).get_by_text("Post topics").click()
    expect(approver.get_by_role("heading", name="Post topics")).to_be_visible()
    expect(approver.get_by_role("button", name="Add topic")).to_be_visible()
    settle(approver)
    screenshot(approver, "social-post-topics")
    approver.context.close()
