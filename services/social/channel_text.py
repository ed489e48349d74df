"""Each channel's text rules: how long a post may be as the network counts it, the tracked
link to the job's page a post carries, and the network's own share dialog for it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlencode
from uuid import UUID

from twitter_text import parse_tweet

from services.postings.tracking import TrackedSource, job_link


@dataclass(frozen=True)
class Channel:
    key: str
    label: str
    limit: int
    share_dialog: str | None  # the network's share URL, to which the link is appended


# Limits as each network documents them. X: 280 weighted characters (twitter-text's v3
# rules, below). LinkedIn: a post's commentary (Posts API). Facebook: a post's text.
# Slack: its API recommends at most 4,000 characters of message text (it truncates past
# 40,000). Teams: a webhook message may be about 28 KB; 4,000 characters keeps well inside
# it and stays readable. The internal news feed and the alumni digest are ours: 10,000 is
# room for a long post. Keys are the database's `social_network` values.
CHANNELS: dict[str, Channel] = {c.key: c for c in (
    Channel("x", "X", 280, "https://twitter.com/intent/tweet"),
    Channel("linkedin", "LinkedIn", 3000, "https://www.linkedin.com/sharing/share-offsite/"),
    Channel("facebook", "Facebook", 63206, "https://www.facebook.com/sharer/sharer.php"),
    Channel("slack", "Slack", 4000, None),
    Channel("teams", "Microsoft Teams", 4000, None),
    Channel("news_feed", "Internal news feed", 10000, None),
    Channel("alumni_digest", "Alumni digest", 10000, None),
)}


def channel(key: str) -> Channel:
    try:
        return CHANNELS[key]
    except KeyError:
        raise ValueError(f"unknown channel {key!r}; one of {', '.join(CHANNELS)}") from None


def length_on(channel_key: str, text: str) -> int:
    """The length of `text` as the channel counts it.

    X counts with twitter-text (the official rules, through its Python port): the text
    NFC-normalised, every URL 23 characters (t.co), most Latin, Greek and Cyrillic
    characters and common punctuation 1, everything else (CJK, emoji, including emoji
    sequences joined by ZWJ) 2. The others count Unicode characters of the NFC form.
    """
    if channel(channel_key).key == "x":
        return parse_tweet(text).weightedLength
    return len(unicodedata.normalize("NFC", text))


def fits(channel_key: str, text: str) -> bool:
    return length_on(channel_key, text) <= channel(channel_key).limit


def tracked_link(base_url: str, job_id: UUID, *, source: str, medium: str | None = None,
                 campaign: str | None = None, post_id: UUID | None = None) -> str:
    """The job page's address that credits visits and applications to this post, with
    its values cleaned as the job page reads them back."""
    tracked = TrackedSource.from_params({"utm_source": source, "utm_medium": medium,
                                         "utm_campaign": campaign, "post": post_id})
    return job_link(base_url, job_id, tracked)


def post_link(base_url: str, job_id: UUID, network: str, post_id: UUID, campaign: str) -> str:
    """The tracked link a social post carries: its network as the source, `social` as the
    medium, the posting's title as the campaign (analytics tools group a posting's posts
    by it) and the post's id (which the portal credits). The composer writes it into the
    text; the share dialogs and the worker use the one the text carries (`link_in`)."""
    return tracked_link(base_url, job_id, source=network, medium="social", campaign=campaign,
                        post_id=post_id)


_URL = re.compile(r"https?://[^\s<>\"']+")


def link_in(text: str, post_id: UUID) -> str | None:
    """The post's own tracked link as its text carries it (the address with its id), if it does."""
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        if f"post={post_id}" in url:
            return url
    return None


def link_of_post(text: str, base_url: str, job_id: UUID, network: str, post_id: UUID, job_title: str) -> str:
    """What a post links to when it goes out: the link its text carries, else the one the
    composer would have written."""
    return link_in(text, post_id) or post_link(base_url, job_id, network, post_id, job_title)


def share_url(channel_key: str, text: str, link: str) -> str | None:
    """The network's share dialog with the post filled in; None for channels that are
    published by webhook instead. X's dialog puts the link after the text, so what must
    fit is `f"{text} {link}"`. LinkedIn's and Facebook's dialogs take the link only: the
    text has to be pasted there (the composer should offer it to copy)."""
    dialog = channel(channel_key).share_dialog
    if dialog is None:
        return None
    if channel_key == "x":
        params = {"text": text, "url": link}
    elif channel_key == "linkedin":
        params = {"url": link}
    else:
        params = {"u": link}
    return f"{dialog}?{urlencode(params, quote_via=quote, safe='')}"
