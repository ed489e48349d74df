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

from portal import ai, shared, tokens, validation
from portal.db import contains_pattern, owner_transaction, translate_refusals
from portal.models import Actor, Page
from services.candidates import private_links

MIN_LENGTH, MAX_LENGTH = 10, 1000
# A question's status as recruiters read it (a candidate's profile lists what they asked).
STATUS_LABELS = {"pending": "Waiting for an answer", "published": "Answered in public",
                 "answered_privately": "Answered privately", "rejected": "Declined",
                 "merged": "Merged into a similar question"}


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

# Similar questions, in two round trips:
#   1. the typed words without stop words ("do you", "is there" would match anything),
#      each with the words of published questions it may mean: itself if some question
#      uses it, else its nearest words by trigram similarity ("sining" → "signing", GiST
#      index on `question_words`), and about how many questions use them
#      (`private.question_word_meanings`);
#   2. full-text search (GIN index, in `private.questions_matching`, which says why it is
#      a function) with those words: questions with every known word, best ranked; when
#      fewer than asked for, questions with any of the rarer words.
#      Rare words say what a question is about, and ranking only their matches keeps the
#      work small however many questions share the common ones.
# The candidates are scored by full-text rank (any word) plus trigram closeness of the
# typed words to the question's text (it forgives typos), both between 0 and 1.
_MEANINGS = sa.text("select word, meanings, questions from private.question_word_meanings(:text)")
_SIMILAR = f"""
    with scored as (
      select q.id,
             ts_rank_cd(q.search, to_tsquery('english'::regconfig, :any_word), 32)
             + (select avg(extensions.word_similarity(k.word, q.body))
                from unnest(cast(:typed as text[])) as k (word)) as score
      from public.questions q
      where q.id in (select private.questions_matching(:every_word, :rare_words, :limit))
        and (cast(:exclude as uuid) is null or q.id <> :exclude)
    )
    select {_ANSWERED}
    from scored s
    join public.questions q on q.id = s.id
    left join public.jobs j on j.id = q.job_id
    order by s.score desc, q.answered_at desc
    limit :limit
"""  # noqa: S608 - only column names are formatted in
# When not every word matches, rank the matches of the rarest words up to about this many
# questions (at least one word's).
RARE_WORDS_QUESTIONS = 5_000
_NOT_A_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class _Term:
    query: str  # "(word | meaning | …)", safe as a tsquery operand
    known: bool  # some published question uses one of its meanings
    questions: int  # about how many questions use them (0: rare, or no statistics yet)


def similar_in(conn: Connection, text: str, limit: int = 5,
               exclude: UUID | None = None) -> list[Answered]:
    text = " ".join((text or "").split())[:MAX_LENGTH]
    if len(text) < 3:
        return []
    typed, terms = [], []
    for word, meanings, count in conn.execute(_MEANINGS, {"text": text}):
        # Letters and digits only, so nothing typed is tsquery syntax.
        options = sorted({_NOT_A_WORD.sub("", w) for w in (word, *meanings)} - {""})
        if options:
            typed.append(word)
            terms.append(_Term("(" + " | ".join(options) + ")", bool(meanings), count))
    known = sorted((t for t in terms if t.known), key=lambda t: t.questions)
    if not known:
        return []
    rare, ranked = [], 0
    for term in known:  # rarest first
        if rare and ranked + term.questions > RARE_WORDS_QUESTIONS:
            break
        rare.append(term)
        ranked += term.questions
    rows = conn.execute(sa.text(_SIMILAR), {
        "every_word": " & ".join(t.query for t in known),
        "rare_words": " | ".join(t.query for t in rare),
        "any_word": " | ".join(t.query for t in terms),
        "typed": typed, "limit": limit, "exclude": exclude}).all()
    return [Answered(**row._mapping) for row in rows]


def forget_unused_words(conn: Connection) -> int:
    """Remove the words no published question uses from the vocabulary typed words are
    corrected against (publishing only ever adds words); how many went."""
    return conn.execute(sa.text("select private.forget_unused_question_words()")).scalar_one()


def similar(actor: Actor, text: str, limit: int = 5) -> list[Answered]:
    """Published questions like `text`, best first: what the asker sees while typing
    (public, so shared between sessions until a published question changes)."""
    text = " ".join((text or "").split())[:MAX_LENGTH]
    return shared.visitors_view(("similar", text, limit), lambda conn: similar_in(conn, text, limit))


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

    def compute(conn: Connection) -> Page[Answered]:
        total = conn.execute(sa.text(
            f"select count(*) from public.questions q where {where}"), params).scalar_one()  # noqa: S608
        rows = conn.execute(sa.text(
            f"select {_ANSWERED} from public.questions q"  # noqa: S608
            f" left join public.jobs j on j.id = q.job_id where {where}"
            " order by coalesce(q.topic, '') = '', q.topic, j.title nulls first, q.answered_at desc, q.id"
            " limit :limit offset :offset"), params).all()
        return Page([Answered(**row._mapping) for row in rows], total, page, page_size)

    # Published answers are public: as a visitor sees them, shared until one changes.
    return shared.visitors_view(("faq", search, topic, job_id, page, page_size), compute)


def faq_topics(actor: Actor) -> list[str]:
    return shared.visitors_view("faq topics", lambda conn: list(conn.execute(sa.text(
        "select distinct topic from public.questions"
        " where status = 'published' and topic is not null order by 1")).scalars()))


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
    problems = validation.FormProblems()  # both fields' problems at once, each by its name
    body = problems.check("body", validation.text, "Your question", " ".join((body or "").split()),
                          minimum=MIN_LENGTH, maximum=MAX_LENGTH)
    email = problems.check("email", validation.email_address, email) if (email or "").strip() else ""
    problems.raise_any()
    held = screen(body)
    token = tokens.new_token()
    # The verdict and the rate-limit keys are the server's word, so the function runs for
    # the server only, told who asked; its refusals (too many questions, the job gone, the
    # rate limits it keeps) are written for users.
    with translate_refusals(), owner_transaction() as conn:
        question_id = conn.execute(sa.text(
            "select private.ask_question(:asker, :job, :body, :email, :held, :session, :address,"
            " :token)"),
            {"asker": actor.user_id, "job": job_id, "body": body, "email": email or None,
             "held": held, "session": _key("session", session_id),
             "address": _key("address", address or f"unknown/{session_id}"),
             "token": tokens.token_hash(token)}).scalar_one()
    return Asked(question_id, private_links.follow_link("question", token), held is not None)


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
    row = private_links.find(actor, "private.question_by_token", token)
    return FollowedQuestion(**row._mapping) if row else None
