"""The career site as search engines, job boards and link previewers read it: server-rendered
pages with schema.org JobPosting data, the sitemap, robots.txt and feeds, and the tags put into
the portal's own job page; all read as a visitor, against the real database."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from uuid import uuid4

import defusedxml.ElementTree as SafeET
import pytest
import sqlalchemy as sa
from PIL import Image
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.public_address import public_url
from services.postings.career_site import job_id_in, slug
from tests.db.rows import add_job
from web import job_cards, routes
from web.link_previews import LinkPreviews

SHELL = "<html><head><title>Streamlit</title></head><body><div id=root></div></body></html>"
NOW = datetime.now(UTC)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


async def streamlit_shell(_request):
    return HTMLResponse(SHELL)


@pytest.fixture
def client() -> TestClient:
    app = Starlette(routes=[*routes.ROUTES, Route("/job", streamlit_shell)],
                    middleware=[Middleware(LinkPreviews)])
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def site(clean_db):
    """A company with two open jobs (one remote, one with pay), a closed one and a draft."""
    with clean_db.begin() as conn:
        conn.execute(sa.text("insert into public.company (id, name, tagline, about, website)"
                             " values (1, 'Northwind', 'Data for everyone', '', 'https://northwind.example')"))
    jobs = {
        "open": add_job(clean_db, "Senior Data Engineer (m/f/d)", salary_min=60000, salary_max=80000,
                        currency="EUR", employment_type="full_time", remote_policy="hybrid",
                        description="## About\n\nPipelines **at scale**.", published_at=NOW),
        "remote": add_job(clean_db, "Support Lead", location="Portugal", remote_policy="remote",
                          published_at=NOW - timedelta(days=2)),
        "closed": add_job(clean_db, "Old Role", status="closed"),
        "draft": add_job(clean_db, "Secret Plan", status="draft"),
    }
    return jobs


def page_of(client, job_id):
    address = client.get(f"/careers/{job_id}")
    assert address.status_code == 301
    return client.get(address.headers["location"])


def structured_data(html: str) -> dict | None:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_addresses_read_as_titles_and_end_in_the_id():
    job_id = uuid4()
    assert slug("Senior Data Engineer (m/f/d)") == "senior-data-engineer-m-f-d"
    assert slug("Ingénieure données — Zoë") == "ingenieure-donnees-zoe"
    assert job_id_in(f"anything-{job_id}") == job_id and job_id_in("senior-data-engineer") is None


def test_the_board_lists_exactly_the_open_jobs(site, client):
    response = client.get("/careers")
    assert response.status_code == 200
    html = response.text
    assert "Senior Data Engineer (m/f/d)" in html and "Support Lead" in html
    assert "Old Role" not in html and "Secret Plan" not in html
    assert "2 open jobs." in html
    assert f'href="/careers/senior-data-engineer-m-f-d-{site["open"]}"' in html
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-frame-options"] == "DENY"


def test_a_job_page_carries_what_google_for_jobs_requires(site, client):
    response = page_of(client, site["open"])
    assert response.status_code == 200
    html = response.text
    url = f"{public_url()}/careers/senior-data-engineer-m-f-d-{site['open']}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:title" content="Senior Data Engineer (m/f/d) — Northwind">' in html
    assert '<meta property="og:description" content="About Pipelines at scale.">' in html
    data = structured_data(html)
    assert data["@type"] == "JobPosting" and data["title"] == "Senior Data Engineer (m/f/d)"
    for required in ("description", "datePosted", "hiringOrganization", "jobLocation"):
        assert data[required], required
    assert data["hiringOrganization"] == {"@type": "Organization", "name": "Northwind",
                                          "sameAs": "https://northwind.example"}
    assert data["employmentType"] == "FULL_TIME" and data["directApply"] is True
    assert data["baseSalary"]["value"] == {"@type": "QuantitativeValue", "minValue": 60000.0,
                                           "maxValue": 80000.0, "unitText": "YEAR"}
    assert "<strong>at scale</strong>" in data["description"]
    assert f'href="/job?id={site["open"]}"' in html


def test_a_remote_job_says_so_and_where_applicants_may_live(site, client):
    data = structured_data(page_of(client, site["remote"]).text)
    assert data["jobLocationType"] == "TELECOMMUTE" and "jobLocation" not in data
    assert data["applicantLocationRequirements"]["name"] == "Portugal"
    assert "baseSalary" not in data


def test_the_apply_button_keeps_the_link_s_tracking(site, client):
    response = client.get(f"/careers/x-{site['open']}?utm_source=linkedin&post=abc&other=1")
    assert response.status_code == 301 and response.headers["location"].endswith(
        "?utm_source=linkedin&post=abc&other=1")
    html = client.get(response.headers["location"]).text
    assert f'href="/job?id={site["open"]}&amp;utm_source=linkedin&amp;post=abc"' in html


def test_a_closed_job_says_so_and_leaves_the_index(site, client):
    html = page_of(client, site["closed"]).text
    assert "This job is closed" in html and "Apply for this job" not in html
    assert structured_data(html) is None and '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("address", ["draft", "unknown", "no-id-at-all"])
def test_drafts_and_unknown_addresses_are_not_found(site, client, address):
    path = {"draft": f"secret-plan-{site['draft']}", "unknown": f"x-{uuid4()}"}.get(address, address)
    response = client.get(f"/careers/{path}")
    assert response.status_code == 404
    assert "Secret Plan" not in response.text and "not on the career site" in response.text


def test_what_staff_wrote_stays_text_and_loads_nothing(clean_db, client):
    title = "</script><script>alert(1)</script> Lead"
    job_id = add_job(clean_db, title, description=(
        "<img src=x onerror=alert(2)> ![pixel](https://tracker.example/p.png)"
        " [click](javascript:alert(3)) [site](https://ok.example)"), published_at=NOW)
    html = page_of(client, job_id).text
    assert "<script>alert" not in html and "<img" not in html and "tracker.example" not in html
    assert 'href="javascript:' not in html
    assert '<a href="https://ok.example" rel="nofollow noopener noreferrer">site</a>' in html
    assert structured_data(html)["title"] == title


def test_sitemap_and_feeds_list_exactly_the_open_jobs(site, client):
    base = public_url()
    expected = {f"{base}/careers/senior-data-engineer-m-f-d-{site['open']}",
                f"{base}/careers/support-lead-{site['remote']}"}
    sitemap = SafeET.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert locations[0] == f"{base}/careers" and set(locations[1:]) == expected
    rss = SafeET.fromstring(client.get("/careers/feed.rss").content)
    assert {item.findtext("link") for item in rss.iter("item")} == expected
    assert rss.find("channel").findtext("title") == "Northwind — open jobs"
    feed = SafeET.fromstring(client.get("/careers/feed.xml").content)
    jobs = {job.findtext("url"): job for job in feed.iter("job")}
    assert set(jobs) == expected
    paid = jobs[f"{base}/careers/senior-data-engineer-m-f-d-{site['open']}"]
    assert paid.findtext("salary") == "EUR 60,000 – 80,000" and paid.findtext("jobtype") == "Full time"
    assert paid.findtext("referencenumber") == str(site["open"])


def test_robots_points_at_the_sitemap(client):
    text = client.get("/robots.txt").text
    assert f"Sitemap: {public_url()}/sitemap.xml" in text and "Allow: /careers" in text


def test_the_board_pages_through_many_jobs(clean_db, client):
    for n in range(55):
        add_job(clean_db, f"Role {n:02d}", published_at=NOW - timedelta(minutes=n))
    first, second = client.get("/careers").text, client.get("/careers?page=2").text
    assert "Role 00" in first and "Role 49" in first and "Role 50" not in first
    assert "Role 50" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/careers?page=nonsense").status_code == 200


def test_a_shared_job_link_previews_as_the_job(site, client):
    html = client.get(f"/job?id={site['open']}&utm_source=x").text
    assert "<title>Senior Data Engineer (m/f/d) — Northwind</title>" in html
    assert '<meta property="og:title" content="Senior Data Engineer (m/f/d) — Northwind">' in html
    assert f'<link rel="canonical" href="{public_url()}/careers/senior-data-engineer-m-f-d-' in html
    assert '<div id=root>' in html  # the page itself is untouched


@pytest.mark.parametrize("query", ["", "?id=nonsense", "?id={draft}",
                                   "?id=00000000-0000-4000-8000-000000000000"])
def test_other_job_addresses_keep_streamlit_s_shell(site, client, query):
    assert client.get("/job" + query.format(draft=site["draft"])).text == SHELL


def test_a_closed_job_leaves_the_cached_pages_and_files_at_once(site, client, clean_db):
    assert str(site["open"]) in client.get("/sitemap.xml").text  # now kept in memory
    assert str(site["open"]) in client.get("/careers/feed.xml").text
    assert page_of(client, site["open"]).status_code == 200
    with clean_db.begin() as conn:
        conn.execute(sa.text("update public.jobs set status = 'closed', close_reason = 'filled'"
                             " where id = :id"), {"id": site["open"]})
    assert str(site["open"]) not in client.get("/sitemap.xml").text
    assert str(site["open"]) not in client.get("/careers/feed.xml").text
    assert "This job is closed" in page_of(client, site["open"]).text


def test_a_job_s_share_card_is_a_large_image_its_pages_name(site, client):
    """og:image: LinkedIn, X, Facebook, Slack and Teams show it above a shared link's title."""
    html = page_of(client, site["open"]).text
    card = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert card.startswith(f"{public_url()}/careers/senior-data-engineer-m-f-d-")
    assert card.endswith("/card.png")
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'content="Senior Data Engineer (m/f/d) at Northwind: ' in html  # its alt text
    assert f'content="{card}"' in client.get(f"/job?id={site['open']}").text  # the portal's own link too

    response = client.get(urlsplit(card).path)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert "public" in response.headers["cache-control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    # The card shows words: far from one colour, and different for another job.
    assert len(image.getcolors(maxcolors=100_000)) > 10
    other = client.get(page_of(client, site["remote"]).url.path + "/card.png").content
    assert other != response.content


@pytest.mark.parametrize("address", ["draft", "unknown"])
def test_drafts_and_unknown_jobs_have_no_card(site, client, address):
    path = {"draft": f"secret-plan-{site['draft']}", "unknown": f"x-{uuid4()}"}[address]
    assert client.get(f"/careers/{path}/card.png").status_code == 404


def test_a_card_shows_titles_in_any_script_and_cuts_long_ones():
    cjk = job_cards.card_png("ノースウィンド", "シニアバックエンドエンジニア" * 8, "東京 · Remote",
                             "Apply at x.example")
    assert Image.open(io.BytesIO(cjk)).size == (1200, 630)
    font = job_cards.font_for("Data", 68)
    lines = job_cards.wrapped("word " * 200, font, 1040, 3)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(font.getlength(line) <= 1040 for line in lines)
