"""Each channel's text rules, carried out as its network (portal/networks.py) describes them:
how long a post may be as the network counts it, the tracked link to the job's page a post
carries, and the network's own share dialog for it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlencode, urlsplit
from uuid import UUID

from sqlalchemy.engine import Connection
from twitter_text import parse_tweet

from portal.addresses import SHORT_LINK_PATH
from portal.networks import TWITTER_TEXT, network
from services.postings.tracking import (
    TrackedSource,
    job_link,
    short_address,
    short_link_codes,
)


def length_on(network_key: str, text: str) -> int:
    """The length of `text` as the network counts it.

    twitter-text (X's official rules, through its Python port): the text NFC-normalised,
    every URL 23 characters (t.co), most Latin, Greek and Cyrillic characters and common
    punctuation 1, everything else (CJK, emoji, including emoji sequences joined by ZWJ) 2.
    Otherwise Unicode characters of the NFC form.
    """
    if network(network_key).counting == TWITTER_TEXT:
        return parse_tweet(text).weightedLength
    return len(unicodedata.normalize("NFC", text))


def fits(network_key: str, text: str) -> bool:
    return length_on(network_key, text) <= network(network_key).limit


def post_source(network_key: str, post_id: UUID, campaign: str) -> TrackedSource:
    """What a social post's link credits: its network's utm source and medium, the posting's
    title as the campaign (analytics tools group a posting's posts by it) and the post's id
    (which the portal credits), cleaned as the job page reads them back."""
    credited = network(network_key)
    return TrackedSource.from_params({"utm_source": credited.utm_source, "utm_medium": credited.utm_medium,
                                      "utm_campaign": campaign, "post": post_id})


def post_link(base_url: str, job_id: UUID, network_key: str, post_id: UUID, campaign: str) -> str:
    """The long form of a post's tracked link (`/job?id=…&utm_…&post=…`). The composer writes
    the short one (`/r/<code>`, short_post_link); long links written before keep
    working, and the share dialogs and the worker use whichever the text carries (`link_in`)."""
    return job_link(base_url, job_id, post_source(network_key, post_id, campaign))


def short_post_link(conn: Connection, base_url: str, job_id: UUID, network_key: str, post_id: UUID,
                    campaign: str) -> str:
    """The short form (`/r/<code>`) of the post's tracked link, made on first use: what the
    composer writes into a post's text."""
    code = short_link_codes(conn, [job_id], post_source(network_key, post_id, campaign))[job_id]
    return short_address(base_url, code)


_URL = re.compile(r"https?://[^\s<>\"']+")


def link_in(text: str, post_id: UUID, short_codes: Iterable[str] = ()) -> str | None:
    """The post's own tracked link as its text carries it, if it does: a short link with one
    of the post's codes, or a long link with its id."""
    short_paths = {f"{SHORT_LINK_PATH}/{code}" for code in short_codes}
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        if f"post={post_id}" in url or urlsplit(url).path in short_paths:
            return url
    return None


def link_of_post(text: str, base_url: str, job_id: UUID, network: str, post_id: UUID, job_title: str,
                 short_codes: Sequence[str] = ()) -> str:
    """What a post links to when it goes out: the link its text carries, else its short link,
    else the long one (a post saved before short links, whose text lost its link)."""
    if found := link_in(text, post_id, short_codes):
        return found
    if short_codes:
        return short_address(base_url, short_codes[0])
    return post_link(base_url, job_id, network, post_id, job_title)


def share_url(network_key: str, text: str, link: str) -> str | None:
    """The network's share dialog with the post filled in; None for networks without one.
    X's dialog puts the link after the text, so what must fit is `f"{text} {link}"`.
    LinkedIn's and Facebook's dialogs take the link only: the text has to be pasted there
    (the composer should offer it to copy)."""
    dialog = network(network_key).share_dialog
    if dialog is None:
        return None
    params = {dialog.text_param: text} if dialog.text_param else {}
    params[dialog.link_param] = link
    return f"{dialog.url}?{urlencode(params, quote_via=quote, safe='')}"
