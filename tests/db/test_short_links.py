"""Short tracked links against the real database and the real route: who may make one, one
code per destination, the visit counted on the server once, bots counted apart."""

from __future__ import annotations

from uuid import uuid4

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.errors import NotFound, PermissionDenied
from portal.models import Actor, Role
from services.postings import tracking
from services.postings.tracking import TrackedSource
from services.referrals import submission
from tests.db.rows import add_account, add_job
from web import routes

BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
           " Chrome/131.0 Safari/537.36")
LINKEDIN_PREVIEW = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
POST_SOURCE = TrackedSource("linkedin", "social", "data_engineer")


@pytest.fixture
def people(clean_db) -> dict[str, Actor]:
    return {"recruiter": add_account(clean_db, "rita@example.com", role=Role.RECRUITER),
            "alumna": add_account(clean_db, "priya@example.com", role=Role.ALUMNUS),
            "candidate": add_account(clean_db, "sam@example.com", role=Role.CANDIDATE)}


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=routes.ROUTES), follow_redirects=False)


def visits(engine, job_id) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text("select session_id, source, utm_medium, utm_campaign"
                                    " from public.job_visits where job_id = :job"), {"job": job_id}).all()


def bot_visits(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("select bot_visits from public.short_links where code = :code"),
                            {"code": code}).scalar_one()


def code_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_staff_shorten_a_tracked_link_once(clean_db, people):
    job_id = add_job(clean_db)
    link = tracking.short_link(people["recruiter"], "https://jobs.example", job_id, POST_SOURCE)
    assert link.startswith("https://jobs.example/r/") and tracking.SHORT_CODE.fullmatch(code_of(link))
    assert tracking.short_link(people["recruiter"], "https://jobs.example", job_id, POST_SOURCE) == link
    other = tracking.short_link(people["recruiter"], "", job_id, TrackedSource("x", "social"))
    assert code_of(other) != code_of(link)


def test_following_counts_one_visit_and_leads_to_the_job_with_its_tracking(clean_db, people, client):
    job_id = add_job(clean_db)
    code = code_of(tracking.short_link(people["recruiter"], "", job_id, POST_SOURCE))
    response = client.get(f"/r/{code}", headers={"User-Agent": BROWSER})
    assert response.status_code == 302 and response.headers["cache-control"] == "no-store"
    target = response.headers["location"]
    assert target.startswith(f"/job?id={job_id}&utm_source=linkedin&utm_medium=social"
                             "&utm_campaign=data_engineer&visit=")
    [visit] = visits(clean_db, job_id)
    assert (visit.source, visit.utm_medium, visit.utm_campaign) == ("linkedin", "social", "data_engineer")
    assert target.endswith(f"visit={visit.session_id}")
    # The job page records its visit under the same id: still one.
    assert tracking.record_visit(Actor.visitor(), job_id, tracking.counted_visit(str(visit.session_id)),
                                 POST_SOURCE) is False
    assert len(visits(clean_db, job_id)) == 1
    assert bot_visits(clean_db, code) == 0


@pytest.mark.parametrize(("method", "agent"), [("GET", LINKEDIN_PREVIEW), ("GET", "Twitterbot/1.0"),
                                               ("GET", "Slackbot-LinkExpanding 1.0"), ("GET", ""),
                                               ("HEAD", BROWSER)])
def test_link_previews_and_crawlers_are_counted_apart(clean_db, people, client, method, agent):
    job_id = add_job(clean_db)
    code = code_of(tracking.short_link(people["recruiter"], "", job_id, POST_SOURCE))
    response = client.request(method, f"/r/{code}", headers={"User-Agent": agent})
    assert response.status_code == 302 and "visit=" not in response.headers["location"]
    assert visits(clean_db, job_id) == [] and bot_visits(clean_db, code) == 1


@pytest.mark.parametrize("code", ["Zzzzzzz", "short", "Ab-1234", "a" * 200])
def test_an_unknown_code_is_not_found(clean_db, client, code):
    response = client.get(f"/r/{code}", headers={"User-Agent": BROWSER})
    assert response.status_code == 404 and "not known" in response.text


def test_alumni_shorten_only_their_own_referral_links(clean_db, people):
    job_id = add_job(clean_db)
    own = submission.my_links(people["alumna"])
    [(job, link)] = own.jobs
    followed = tracking.follow_short_link(code_of(link), uuid4(), bot=False)
    assert followed.job_id == job_id and followed.source.referral_code == own.code
    for source in (TrackedSource("referral", referral_code="someone-elses-code"),
                   TrackedSource("linkedin", post_id=uuid4(), referral_code=own.code), POST_SOURCE):
        with pytest.raises(PermissionDenied):
            tracking.short_link(people["alumna"], "", job_id, source)
    for who in (people["candidate"], Actor.visitor()):
        with pytest.raises(PermissionDenied):
            tracking.short_link(who, "", job_id, POST_SOURCE)


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_alumni_get_short_links_to_published_jobs_only_and_staff_to_any(clean_db, people, status):
    job_id = add_job(clean_db, status=status)
    code = submission.my_links(people["alumna"]).code
    with pytest.raises(NotFound, match="published jobs only"):
        tracking.short_link(people["alumna"], "", job_id, TrackedSource("referral", referral_code=code))
    # a post is drafted (and its short link made) while its job waits for approval
    staff_link = tracking.short_link(people["recruiter"], "", job_id, POST_SOURCE)
    assert tracking.SHORT_CODE.fullmatch(code_of(staff_link))
    with pytest.raises(NotFound, match="does not exist"):
        tracking.short_link(people["recruiter"], "", uuid4(), POST_SOURCE)


def test_a_post_s_short_link_outlives_the_post(clean_db, people, client):
    """A short link names its post's id before the post is saved, and keeps leading to the job
    (crediting that id) after the post is deleted: the link may still be out on a network."""
    job_id, post_id = add_job(clean_db), uuid4()
    source = TrackedSource("linkedin", "social", "data_engineer", post_id)
    code = code_of(tracking.short_link(people["recruiter"], "", job_id, source))  # no such post
    response = client.get(f"/r/{code}", headers={"User-Agent": BROWSER})
    assert response.status_code == 302 and f"post={post_id}" in response.headers["location"]
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select post_id from public.job_visits where job_id = :job"),
                            {"job": job_id}).scalar_one() == post_id


def test_a_closed_job_s_link_still_leads_to_its_page_without_counting(clean_db, people, client):
    job_id = add_job(clean_db)
    code = code_of(tracking.short_link(people["recruiter"], "", job_id, POST_SOURCE))
    with clean_db.begin() as conn:
        conn.execute(sa.text("update public.jobs set status = 'closed', close_reason = 'filled'"
                             " where id = :id"), {"id": job_id})
    response = client.get(f"/r/{code}", headers={"User-Agent": BROWSER})
    assert response.status_code == 302 and response.headers["location"].startswith(f"/job?id={job_id}")
    assert visits(clean_db, job_id) == []  # the job page says it is closed; nothing to count
