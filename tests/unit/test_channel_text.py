"""Channel text rules: lengths as each network counts them, tracked links, share dialogs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest

from portal.networks import NETWORKS
from services.postings.tracking import TrackedSource, job_link
from services.social import channel_text
from services.social.channel_text import fits, length_on, share_url

JOB = UUID("11111111-2222-3333-4444-555555555555")
POST = UUID("99999999-8888-7777-6666-555555555555")


def test_x_counts_every_url_as_23():
    assert length_on("x", "https://example.com") == 23
    long = "https://careers.northwind.com/job?id=" + "a" * 200
    assert length_on("x", f"Apply: {long}") == len("Apply: ") + 23
    assert length_on("x", "northwind.io/job?id=1&utm_source=x") == 23  # no scheme: still a link


def test_x_counts_a_host_it_does_not_link_as_typed():
    # X shortens only what it recognises as a link: a local address stays as it is.
    assert length_on("x", "http://localhost:8501/job?id=1") == 30


def test_x_counts_emoji_and_cjk_as_two():
    assert length_on("x", "😷") == 2
    assert length_on("x", "👩‍💻") == 2  # a ZWJ sequence is one emoji
    assert length_on("x", "👍🏽") == 2  # with a skin tone
    assert length_on("x", "日本語") == 6
    assert length_on("x", "Zürich, Αθήνα, Москва") == len("Zürich, Αθήνα, Москва")


def test_x_counts_the_nfc_form():
    assert length_on("x", "e\u0301") == 1  # e + combining accent is é


def test_x_limit_exactly_at_280():
    assert fits("x", "a" * 280) and not fits("x", "a" * 281)
    assert fits("x", "😀" * 140) and not fits("x", "😀" * 141)
    at_limit = "a" * 256 + " https://example.com/a-very-long-path/" + "b" * 100
    assert length_on("x", at_limit) == 280 and fits("x", at_limit)


@pytest.mark.parametrize("key,limit", [("linkedin", 3000), ("facebook", 63206), ("slack", 4000),
                                       ("teams", 4000), ("news_feed", 10000),
                                       ("alumni_digest", 10000)])
def test_other_channels_count_characters(key, limit):
    assert NETWORKS[key].limit == limit
    assert fits(key, "a" * limit) and not fits(key, "a" * (limit + 1))
    assert length_on(key, "😷 e\u0301 https://example.com") == len("😷 é https://example.com")


def test_unknown_network():
    with pytest.raises(ValueError, match="unknown network"):
        length_on("myspace", "hi")


def tracked_link(base_url: str, job_id: UUID, *, source: str, medium: str | None = None,
                 campaign: str | None = None, post_id: UUID | None = None) -> str:
    return job_link(base_url, job_id, TrackedSource.from_params(
        {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign, "post": post_id}))


def test_tracked_link_carries_the_post_and_reads_back():
    link = tracked_link("https://jobs.example/", JOB, source="LinkedIn", medium="social",
                        campaign="Spring Hiring", post_id=POST)
    assert link == (f"https://jobs.example/job?id={JOB}&utm_source=linkedin&utm_medium=social"
                    f"&utm_campaign=spring_hiring&post={POST}")
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert TrackedSource.from_params(params) == TrackedSource("linkedin", "social", "spring_hiring", POST)


def test_tracked_link_leaves_out_what_is_not_given():
    assert tracked_link("https://jobs.example", JOB, source="x") == f"https://jobs.example/job?id={JOB}&utm_source=x"


def test_x_share_dialog_has_text_and_url_encoded():
    link = tracked_link("https://jobs.example", JOB, source="x", post_id=POST)
    url = share_url("x", "Join us & grow #hiring 🚀", link)
    assert url.startswith("https://twitter.com/intent/tweet?text=Join%20us%20%26%20grow%20%23hiring%20%F0%9F%9A%80&url=")
    assert parse_qs(urlsplit(url).query) == {"text": ["Join us & grow #hiring 🚀"], "url": [link]}


@pytest.mark.parametrize("key,prefix,param", [
    ("linkedin", "https://www.linkedin.com/sharing/share-offsite/?url=", "url"),
    ("facebook", "https://www.facebook.com/sharer/sharer.php?u=", "u"),
])
def test_linkedin_and_facebook_dialogs_take_the_link(key, prefix, param):
    link = tracked_link("https://jobs.example", JOB, source=key, campaign="spring", post_id=POST)
    url = share_url(key, "ignored text", link)
    assert url.startswith(prefix + "https%3A%2F%2Fjobs.example%2Fjob%3Fid%3D")
    assert parse_qs(urlsplit(url).query) == {param: [link]}


@pytest.mark.parametrize("key", ["slack", "teams", "news_feed", "alumni_digest"])
def test_internal_channels_have_no_share_dialog(key):
    assert share_url(key, "text", "https://jobs.example/job?id=1") is None


def test_a_post_link_carries_every_tracking_value_and_is_found_again_in_the_text():
    job, post = UUID(int=7), UUID(int=8)
    link = channel_text.post_link("https://jobs.example", job, "linkedin", post, "Data Engineer (Berlin)")
    query = parse_qs(urlsplit(link).query)
    assert query == {"id": [str(job)], "utm_source": ["linkedin"], "utm_medium": ["social"],
                     "utm_campaign": ["data_engineer_berlin"], "post": [str(post)]}
    assert channel_text.link_in(f"Join us ({link}).\n#hiring", post) == link
    assert channel_text.link_in(f"Join us: {link}", UUID(int=9)) is None  # another post's link
    assert channel_text.link_in("No link here", post) is None


def test_a_post_is_found_by_its_short_link_and_falls_back_to_it():
    post = UUID(int=8)
    text = "Join us: https://jobs.example/r/Ab3dE7g. #hiring"
    assert channel_text.link_in(text, post, ["Ab3dE7g"]) == "https://jobs.example/r/Ab3dE7g"
    assert channel_text.link_in(text, post, ["Zz9yX8w"]) is None  # another post's code
    assert channel_text.link_in(text, post) is None
    # A text that lost its link goes out with the post's short link, else the long one.
    assert channel_text.link_of_post("No link", "https://jobs.example", JOB, "x", post, "Data",
                                     ["Ab3dE7g"]) == "https://jobs.example/r/Ab3dE7g"
    long_link = channel_text.link_of_post("No link", "https://jobs.example", JOB, "x", post, "Data")
    assert f"post={post}" in long_link
