"""The policy check of a social post against the company's social-media guidelines.

Pure functions over the post's text and the guidelines: what they find is shown inline
in the composer, and a blocking finding stops the post from being submitted.

- a confidential term in the text: blocking
- the affiliation disclosure missing where the audience requires it: blocking
- personal data (email addresses, phone numbers): blocking
- gender- or age-coded wording: advice, with alternatives (lists in inclusive_words.py)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from portal.networks import AUDIENCES
from services.social.inclusive_words import CODED_WORDS

BLOCKING, ADVICE = "blocking", "advice"

DEFAULT_DISCLOSURES = ("#ad", "#employee", "I work at", "I work for", "we are hiring",
                       "we're hiring", "join our team", "join my team")

# Local forms ("030 1234567", "020 7946 0958") are read as numbers of these countries;
# international forms (+49 …) are found whatever the list. Each number must be valid
# for its country (phonenumbers' VALID leniency), which keeps out salaries, years,
# dates and "24/7".
PHONE_REGIONS = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "IN", "AU")

# A link's digits (a post's UUID in its tracked link) are not a phone number.
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Guidelines:
    confidential_terms: tuple[str, ...] = ()
    disclosures: tuple[str, ...] = DEFAULT_DISCLOSURES
    disclosure_external: bool = True
    disclosure_internal: bool = False

    def disclosure_required(self, audience: str) -> bool:
        return self.disclosure_internal if audience == "internal" else self.disclosure_external


@dataclass(frozen=True)
class Finding:
    kind: str  # confidential, disclosure, email, phone, masculine, feminine, age
    severity: str  # BLOCKING or ADVICE
    start: int
    end: int  # text[start:end] is what was found; a missing disclosure is an empty span at the end
    message: str
    alternatives: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING


def check_post(text: str, guidelines: Guidelines, audience: str = "external") -> list[Finding]:
    """Every finding in `text`, in the order they appear (a missing disclosure last)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    findings = [*confidential_terms(text, guidelines.confidential_terms),
                *personal_data(text), *inclusive_language(text)]
    findings.sort(key=lambda f: (f.start, -f.end))
    if guidelines.disclosure_required(audience):
        findings += missing_disclosure(text, guidelines.disclosures, audience)
    return findings


def is_blocked(findings: list[Finding]) -> bool:
    return any(finding.blocking for finding in findings)


# --- confidential terms and disclosures: phrases matched as whole words -------------------

def _is_tag(text: str, start: int) -> bool:
    """Whether position `start` is inside a #hashtag or @mention."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start > 0 and text[start - 1] in "#@"


def _boundary(text: str, at: int, *, in_tag: bool) -> bool:
    """Whether a phrase may begin or end at `at`: not in the middle of a word, except at a
    CamelCase hump or a letter-digit change inside a hashtag (#ProjectFalcon2026)."""
    if at <= 0 or at >= len(text):
        return True
    before, after = text[at - 1], text[at]
    if not (before.isalnum() or before == "_") or not (after.isalnum() or after == "_"):
        return True
    return in_tag and ((before.islower() and after.isupper()) or before.isdigit() != after.isdigit())


@lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    # Words may be joined by spaces, hyphens, underscores or nothing: "Project Falcon"
    # is also "project-falcon" and "#ProjectFalcon".
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"[\s_-]*".join(words), re.IGNORECASE)


def find_phrase(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where `phrase` occurs in `text` as whole words, case-insensitively."""
    if not phrase.strip():
        return []
    spans = []
    for match in _phrase_pattern(phrase.strip()).finditer(text):
        start, end = match.span()
        in_tag = _is_tag(text, start)
        if _boundary(text, start, in_tag=in_tag) and _boundary(text, end, in_tag=in_tag):
            spans.append((start, end))
    return spans


def confidential_terms(text: str, terms: tuple[str, ...]) -> list[Finding]:
    # a hashtag or mention is marked whole, with its "#"
    spans = {(start - (start > 0 and text[start - 1] in "#@"), end)
             for term in terms for start, end in find_phrase(text, term)}
    return [Finding("confidential", BLOCKING, start, end,
                    f"“{text[start:end]}” is on the list of confidential terms (a code name, a client "
                    "or something not yet announced). Remove it or describe it in general words.")
            for start, end in _outermost(spans)]


def missing_disclosure(text: str, disclosures: tuple[str, ...], audience: str) -> list[Finding]:
    if any(find_phrase(text, form) for form in disclosures):
        return []
    return [Finding("disclosure", BLOCKING, len(text), len(text),
                    f"Posts to an {audience} audience must say that the author works for the company. "
                    "Add one of the accepted disclosures.", tuple(disclosures))]


# --- personal data ---------------------------------------------------------------------------

def personal_data(text: str) -> list[Finding]:
    found = [Finding("email", BLOCKING, m.start(), m.end(),
                     "Remove the email address: posts are public and permanent. Candidates apply and "
                     "ask through the job's page, which the tracked link leads to.")
             for m in _EMAIL.finditer(text)]
    links = [(m.start(), m.end()) for m in _LINK.finditer(text)]
    spans: set[tuple[int, int]] = set()
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if not any(start <= match.start and match.end <= end for start, end in links):
                spans.add((match.start, match.end))
    found += [Finding("phone", BLOCKING, start, end,
                      "Remove the phone number: posts are public and permanent. Point to the job's page "
                      "instead, where candidates can ask a question.")
              for start, end in _outermost(spans)]
    return found


def _outermost(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans not inside another ("Falcon" in "Project Falcon"; a number read by two countries)."""
    return sorted(s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans))


# --- inclusive language ----------------------------------------------------------------------

_ADVICE = {
    "masculine": "“{0}” is masculine-coded: research (Gaucher, Friesen & Kay 2011) found such wording "
                 "makes job ads less appealing to women.",
    "feminine": "“{0}” is feminine-coded (Gaucher, Friesen & Kay 2011); balance it, or choose a "
                "neutral word.",
    "age": "“{0}” is age-coded: it tells older applicants they are not wanted, and may be age "
           "discrimination.",
}


@lru_cache(maxsize=1)
def _coded_patterns() -> list[tuple[re.Pattern[str], str, tuple[str, ...]]]:
    return [(re.compile(rf"(?<!\w)(?:{word.pattern})(?!\w)", re.IGNORECASE), word.kind, word.alternatives)
            for word in CODED_WORDS]


def inclusive_language(text: str) -> list[Finding]:
    found = [Finding(kind, ADVICE, m.start(), m.end(), _ADVICE[kind].format(m.group(0)), alternatives)
             for pattern, kind, alternatives in _coded_patterns() for m in pattern.finditer(text)]
    # "fresh graduates" is one finding, not also "fresh"
    return [f for f in found if not any(o is not f and o.start <= f.start and f.end <= o.end
                                        and (o.end - o.start) > (f.end - f.start) for o in found)]
