"""Post templates: every network and tone, filled from the posting, ending with the tracked
link, and fitting the channel (X: shortened to 280 with the link counted as 23)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from portal.networks import NETWORKS
from services.postings.listings import Job
from services.social import channel_text
from services.social.drafting import TONES, place, template, with_link
from services.social.policy import Guidelines, check_post

JOB_ID = UUID("11111111-2222-3333-4444-555555555555")
POST_ID = UUID("99999999-8888-7777-6666-555555555555")
LINK = channel_text.post_link("https://careers.northwind.com", JOB_ID, "x", POST_ID, "Data Engineer")


def job(**changes) -> Job:
    fields = dict(id=JOB_ID, title="Senior Data Engineer", department="Data Platform", location="Berlin",
                  remote_policy="hybrid", employment_type="full_time", salary_min=Decimal(70000),
                  salary_max=Decimal(90000), currency="EUR", status="published", published_at=None,
                  description="")
    return Job(**(fields | changes))


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("tone", list(TONES))
def test_every_network_and_tone_carries_the_posting_and_the_link(network, tone):
    body = with_link(network, template(network, tone, job()), LINK)
    assert body.endswith(LINK)
    assert channel_text.fits(network, body)
    assert "Senior Data Engineer" in body and "Berlin (hybrid)" in body
    assert "EUR 70,000 – 90,000" in body and "full time" in body.lower()


@pytest.mark.parametrize("tone", list(TONES))
def test_external_templates_pass_the_default_guidelines(tone):
    for network in ("x", "linkedin", "facebook"):
        body = with_link(network, template(network, tone, job()), LINK)
        assert not check_post(body, Guidelines(), "external"), (network, tone)


def test_x_counts_the_link_as_23_and_keeps_it_whole():
    assert channel_text.length_on("x", LINK) == 23
    body = with_link("x", template("x", "professional", job()), LINK)
    assert channel_text.length_on("x", body) <= 280


@pytest.mark.parametrize("tone", list(TONES))
def test_a_long_posting_is_shortened_on_x_but_not_on_linkedin(tone):
    long_title = "Principal Distributed Systems and Machine Learning Infrastructure Engineer " * 3
    posting = job(title=long_title.strip(), department="Research and Development Platform Engineering")
    x = with_link("x", template("x", tone, posting), LINK)
    assert channel_text.length_on("x", x) <= 280 and x.endswith(LINK)
    assert "…" in x  # cut by whole words, marked
    linkedin = with_link("linkedin", template("linkedin", tone, posting), LINK)
    assert long_title.strip() in linkedin and "…" not in linkedin


def test_a_posting_without_salary_or_place_words():
    posting = job(salary_min=None, salary_max=None, remote_policy="remote", location="Lisbon")
    body = template("linkedin", "friendly", posting)
    assert "EUR" not in body and "Remote (Lisbon)" in body
    assert place(job(remote_policy="onsite")) == "Berlin"


def test_an_unknown_tone_is_refused():
    with pytest.raises(ValueError, match="Choose a tone"):
        template("x", "sarcastic", job())
