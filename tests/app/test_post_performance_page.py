"""The Post performance page through AppTest: the demo's figures, filters, recording spend
(and refusing bad spend without losing what was typed), an admin deleting one, the empty state."""

from __future__ import annotations

import sqlalchemy as sa

from tests.app.helpers import app_as, assert_no_exception, open_as, signed_in, texts

PAGE = "pages/recruiting/post_performance.py"
RECORD = "FormSubmitter:record-cost-Record spend"


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_shows_channels_and_posts_best_first(demo_db):
    at = open_as("recruiter@example.com", PAGE)
    assert "Post performance" in texts(at)
    channels, posts = at.dataframe[0].value, at.dataframe[1].value
    assert list(channels["Channel"])[0] == "LinkedIn"
    assert set(channels["Audience"]) == {"External", "Internal"}
    assert list(posts["Hires"]) == sorted(posts["Hires"], reverse=True)
    assert int(metric(at, "Hires")) == int(channels["Hires"].sum()) >= 1
    assert metric(at, "Cost").startswith("USD ")
    assert [b.label for b in at.get("download_button")] == \
        ["Channels as CSV", "Posts as CSV", "Excel workbook (both tables)"]
    # One channel only.
    at.selectbox[0].select_index(at.selectbox[0].options.index("Facebook")).run()
    assert_no_exception(at)
    assert list(at.dataframe[0].value["Channel"]) == ["Facebook"]
    assert set(at.dataframe[1].value["Channel"]) == {"Facebook"}


def test_recording_spend_refuses_bad_input_and_keeps_it(demo_db):
    at = open_as("recruiter@example.com", PAGE)
    at.button(key=RECORD).click().run()
    assert "Choose the post the money was spent on" in texts(at)
    at.selectbox(key="cost-post").select_index(0)
    at.number_input(key="cost-amount").set_value(0.0)
    at.text_input(key="cost-note").input("Boost <b>one</b> week")
    at.button(key=RECORD).click().run()
    assert "more than 0" in texts(at)
    at.number_input(key="cost-amount").set_value(75.0)
    at.text_input(key="cost-currency").input("JPY")
    at.button(key=RECORD).click().run()
    assert "no exchange rate for JPY" in texts(at)
    # Nothing typed was lost.
    assert at.number_input(key="cost-amount").value == 75.0
    assert at.text_input(key="cost-note").value == "Boost <b>one</b> week"
    at.text_input(key="cost-currency").input("eur")
    at.button(key=RECORD).click().run()
    assert_no_exception(at)
    assert "Recorded EUR 75 on" in texts(at)
    recorded = next(d.value for d in at.dataframe if "Recorded by" in d.value.columns)
    assert "Boost <b>one</b> week" in set(recorded["Note"])


def test_admin_deletes_a_cost_recruiter_cannot(demo_db, engine):
    at = open_as("recruiter@example.com", PAGE)
    assert "A cost recorded by mistake is deleted by an admin." in texts(at)
    at = open_as("admin@example.com", PAGE)
    with engine.connect() as conn:
        before = conn.execute(sa.text("select count(*) from public.social_post_costs")).scalar()
    table = next(d for d in at.dataframe if "Recorded by" in d.value.columns)
    assert len(table.value) >= 1
    at.session_state["recorded-costs"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    delete = next(b for b in at.button if b.label.startswith("Delete "))
    delete.click().run()
    assert_no_exception(at)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.social_post_costs")).scalar() == before - 1


def test_empty_state(clean_db):
    from portal.db import owner_transaction
    from portal.models import Role
    from services.people import sign_in
    from services.people.accounts import create_account
    with owner_transaction() as conn:
        create_account(conn, "r@example.com", "R", Role.RECRUITER, "a long password!")
    at = app_as(sign_in.with_password("r@example.com", "a long password!")).run()
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    assert "No published posts in this period" in texts(at)
    assert "Spend is recorded on published posts; there are none yet." in texts(at)
    assert metric(at, "Hires") == "0"


def test_a_postings_channel_posts_show_what_each_brought(demo_db):
    with demo_db.connect() as conn:  # the demo posting whose published posts brought the most visits
        job_id, visits = conn.execute(sa.text(
            "select p.job_id, count(*) from public.job_visits v join public.social_posts p"
            " on p.id = v.post_id and p.job_id = v.job_id group by p.job_id order by 2 desc limit 1")).one()
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/posting.py")
    at.query_params["id"] = str(job_id)
    at.run()
    assert_no_exception(at)
    posts = next(df.value for df in at.dataframe if "Visits" in df.value.columns)
    published = posts["Status"] == "Published"
    assert sum(int(v) for v in posts.loc[published, "Visits"]) == visits
    assert (posts.loc[~published, "Visits"] == "—").all()  # nothing counted yet, and no "None"
