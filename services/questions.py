"""Public questions: asking (with screening and rate limits), similar answered questions
while typing, the FAQ, and following one's own question by its private link."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import ai, validation
from portal.db import contains_pattern, transaction
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Page
from services import links

MIN_LENGTH, MAX_LENGTH = 10, 1000
SESSION_LIMIT_PER_HOUR, ADDRESS_LIMIT_PER_HOUR = 5, 20


@dataclass(frozen=True)
class Answered:
    """A published question and its answer."""
    id: UUID
    body: str
    answer: str
    topic: str | None
    job_id: UUID | None
    job_title: str | None
    answered_at: datetime | None


_ANSWERED = ("q.id, q.body, q.answer, q.topic, q.job_id, j.title as job_title, q.answered_at")

# Similar questions, in two indexed lookups and a close look at what they found:
#   by words    every word of the text, stemmed (full-text search, GIN index); when
#               fewer than asked for have them all, any of the words, best ranked
#   by letters  the nearest questions by trigram word similarity to the text's words
#               (GiST index, nearest-neighbour order), which forgives typos and rewording
# Stop words ("do you", "is there") take no part: compared with them, any text matched
# any question that shares them. The up to 60 candidates are then scored: full-text rank
# (any word) plus trigram closeness, both between 0 and 1; a candidate is kept if it
# shares a word or its words are, on average, close enough.
# The text's words without stop words, and the trigram threshold `<%` uses below (for
# this transaction only), in one round trip.
_KEYWORDS = sa.text("select coalesce(array_agg(distinct lower(d.token)), '{}'),"
                    "       set_config('pg_trgm.word_similarity_threshold', '0.5', true)"
                    " from ts_debug('english'::regconfig, :text) d where d.lexemes <> '{}'")
_SIMILAR = f"""
    with by_words as (
      select q.id from public.questions q
      where q.status = 'published' and q.search @@ to_tsquery('english'::regconfig, :all_words)
      order by ts_rank_cd(q.search, to_tsquery('english'::regconfig, :all_words), 32) desc
      limit 20
    ), by_some_words as (  -- only when too few have every word: any word, best ranked
      select q.id from public.questions q
      where (select count(*) from by_words) < :limit
        and q.status = 'published' and q.search @@ to_tsquery('english'::regconfig, :any_word)
      order by ts_rank_cd(q.search, to_tsquery('english'::regconfig, :any_word), 32) desc
      limit 20
    ), by_letters as (
      select q.id from public.questions q
      where q.status = 'published' and :keywords operator(extensions.<%) q.body
      order by :keywords operator(extensions.<<->) q.body
      limit 20
    ), scored as (
      select q.id,
             ts_rank_cd(q.search, to_tsquery('english'::regconfig, :any_word), 32) as rank,
             q.search @@ to_tsquery('english'::regconfig, :any_word) as found,
             (select avg(extensions.word_similarity(k.word, q.body))
              from unnest(string_to_array(:keywords, ' ')) as k (word)) as closeness
      from public.questions q
      where q.id in (select id from by_words union select id from by_some_words
                     union select id from by_letters)
        and (cast(:exclude as uuid) is null or q.id <> :exclude)
    )
    select {_ANSWERED}, s.rank + s.closeness as score
    from scored s
    join public.questions q on q.id = s.id
    left join public.jobs j on j.id = q.job_id
    where s.found or s.closeness >= 0.5
    order by score desc, q.answered_at desc
    limit :limit
"""  # noqa: S608 - only column names are formatted in
_WORD = re.compile(r"[^\w]+")


def similar_in(conn: Connection, text: str, limit: int = 5,
               exclude: UUID | None = None) -> list[Answered]:
    text = " ".join((text or "").split())[:MAX_LENGTH]
    if len(text) < 3:
        return []
    # Words as tsquery operands: letters and digits only, so nothing typed is query syntax.
    words = [w for w in (_WORD.sub("", word) for word in conn.execute(_KEYWORDS, {"text": text}).one()[0])
             if w][:20]
    if not words:
        return []
    rows = conn.execute(sa.text(_SIMILAR), {
        "all_words": " & ".join(words), "any_word": " | ".join(words), "keywords": " ".join(words),
        "limit": limit, "exclude": exclude}).all()
    return [Answered(**{k: v for k, v in row._mapping.items() if k != "score"}) for row in rows]


def similar(actor: Actor, text: str, limit: int = 5) -> list[Answered]:
    """Published questions like `text`, best first: what the asker sees while typing."""
    with transaction(actor) as conn:
        return similar_in(conn, text, limit)


def faq(actor: Actor, *, search: str = "", topic: str | None = None, job_id: UUID | None = None,
        page: int = 1, page_size: int = 20) -> Page[Answered]:
    """Published answers grouped by topic, then job, newest first within each."""
    search = " ".join(search.split())[:200]
    where = ("q.status = 'published'"
             " and (cast(:topic as text) is null or coalesce(q.topic, '') = :topic)"
             " and (cast(:job as uuid) is null or q.job_id = :job)"
             " and (:search = '' or q.search @@ websearch_to_tsquery('english'::regconfig, :search)"
             "      or q.body ilike :pattern or q.answer ilike :pattern)")
    params = {"topic": topic, "job": job_id, "search": search, "pattern": contains_pattern(search),
              "limit": page_size, "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        total = conn.execute(sa.text(
            f"select count(*) from public.questions q where {where}"), params).scalar_one()  # noqa: S608
        rows = conn.execute(sa.text(
            f"select {_ANSWERED} from public.questions q"  # noqa: S608
            f" left join public.jobs j on j.id = q.job_id where {where}"
            " order by coalesce(q.topic, '') = '', q.topic, j.title nulls first, q.answered_at desc, q.id"
            " limit :limit offset :offset"), params).all()
    return Page([Answered(**row._mapping) for row in rows], total, page, page_size)


def faq_topics(actor: Actor) -> list[str]:
    with transaction(actor) as conn:
        return list(conn.execute(sa.text(
            "select distinct topic from public.questions"
            " where status = 'published' and topic is not null order by 1")).scalars())


# --- asking ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Asked:
    question_id: UUID
    follow_link: str
    held: bool  # screened out: waits for a recruiter instead of the normal queue


_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_REPEATS = re.compile(r"(.)\1{9,}")
# Spam and abuse that needs no model to spot. Kept short and obvious on purpose: what
# these miss, recruiters see anyway, since nothing is published without them.
_BLOCKED_WORDS = re.compile(
    r"(?i)\b(?:viagra|cialis|casino|porn|xxx|crypto ?giveaway|forex signals|payday loans?|"
    r"seo services|buy followers|fuck\w*|shit\w*|cunt\w*|bitch\w*|asshole\w*|idiots?|morons?)\b")


def screen_by_rules(body: str) -> str | None:
    """Why `body` looks like spam or abuse by simple rules, or None."""
    if len(_LINK.findall(body)) > 2:
        return "contains several links"
    if _BLOCKED_WORDS.search(body):
        return "contains words often used in spam or abuse"
    if _REPEATS.search(body):
        return "repeats one character many times"
    letters = [ch for ch in body if ch.isalpha()]
    if len(letters) >= 20 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7:
        return "is written mostly in capitals"
    return None


def screen(body: str) -> str | None:
    """Why `body` should wait for a recruiter, or None: OpenAI's moderation endpoint when
    a key is set (the rules if it fails), the rules otherwise."""
    rules = screen_by_rules(body)
    if rules or not ai.enabled():
        return rules
    try:
        result = ai.moderate(body)
    except ai.AIUnavailable:
        return None
    return f"flagged by moderation: {', '.join(result.categories) or 'unspecified'}" \
        if result.flagged else None


def _key(kind: str, value: str) -> str:
    # Sessions and addresses are counted, not kept.
    return kind + ":" + hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]


def ask(actor: Actor, body: str, *, email: str = "", job_id: UUID | None = None,
        session_id: str, address: str | None = None) -> Asked:
    """Ask a question (visitors or anyone signed in). It waits for a recruiter; a screened
    one waits with the reason. Too many questions from one browser session or address in
    an hour are refused with a message saying when to try again."""
    body = validation.text("Your question", " ".join((body or "").split()),
                           minimum=MIN_LENGTH, maximum=MAX_LENGTH)
    email = validation.email_address(email) if (email or "").strip() else ""
    held = screen(body)
    token = links.new_token()
    try:
        with transaction(actor) as conn:
            question_id = conn.execute(sa.text(
                "select private.ask_question(:job, :body, :email, :held, :session, :address,"
                " :token, :session_limit, :address_limit)"),
                {"job": job_id, "body": body, "email": email or None, "held": held,
                 "session": _key("session", session_id),
                 "address": _key("address", address or f"unknown/{session_id}"),
                 "token": links.token_hash(token), "session_limit": SESSION_LIMIT_PER_HOUR,
                 "address_limit": ADDRESS_LIMIT_PER_HOUR}).scalar_one()
    except sa.exc.DBAPIError as error:
        state = getattr(error.orig, "sqlstate", None)
        if state == "P0003":
            raise ValidationError("You have asked several questions in a short time. Please wait "
                                  "an hour and ask again; your text is still in the box.") from None
        if state == "P0002":
            raise NotFound("That job is not on the board any more. Ask a general question instead.") \
                from None
        raise
    return Asked(question_id, links.follow_link("question", token), held is not None)


@dataclass(frozen=True)
class FollowedQuestion:
    body: str
    status: str
    answer: str | None
    answered_at: datetime | None
    asked_at: datetime
    job_title: str | None

    @property
    def answered(self) -> bool:
        return self.answer is not None


def question_by_link(actor: Actor, token: str) -> FollowedQuestion | None:
    row = links.find(actor, "private.question_by_token", token)
    return FollowedQuestion(**row._mapping) if row else None
