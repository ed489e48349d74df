"""Gender- and age-coded wording in job texts, with alternatives to suggest.

Gender-coded words: Gaucher, Friesen & Kay (2011), "Evidence that gendered wording in job
advertisements exists and sustains gender inequality", Journal of Personality and Social
Psychology 101(1), appendix word lists (as used by Kat Matfield's Gender Decoder). Words of
those lists that are everyday job vocabulary with no better alternative ("lead",
"analytical", "support", "responsible", "understand", "individual") are left out: advice on
every posting teaches people to ignore it. Added are words that do the same outside the study:
the "ninja/rockstar" jargon, generic "he", and male-default job titles.

Age-coded words: the wording that age-discrimination guidance (the US EEOC's, the UK's
ACAS's) says discourages older applicants: "young", "digital native", "recent graduate",
"energetic", "fresh", a maximum of years of experience.

Each pattern is a regular expression matched case-insensitively as whole words (never
inside another word: "he" is not found in "the"); a trailing `\\w*` makes it a stem
("competitive", "competitiveness").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodedWord:
    pattern: str
    kind: str  # "masculine", "feminine", "age"
    alternatives: tuple[str, ...]


def _words(kind: str, entries: dict[str, tuple[str, ...]]) -> list[CodedWord]:
    return [CodedWord(pattern, kind, alternatives) for pattern, alternatives in entries.items()]


MASCULINE = _words("masculine", {
    r"aggress\w*": ("proactive", "driven", "bold"),
    r"ambitio\w*": ("motivated", "keen to grow"),
    r"assertive\w*": ("clear", "confident communicator"),
    r"boast\w*": ("highlight", "share"),
    # not "competent", nor the pay: "competitive salary" is about money, not the candidate
    r"compet(?!en)\w*(?! (?:salary|salaries|pay|compensation|benefits|package|rates?))": (
        "motivated", "high-achieving", "eager to improve"),
    r"dominan\w*|dominat\w*": ("leading", "influential", "well established"),
    r"forceful\w*": ("persuasive", "clear"),
    r"fearless\w*": ("bold", "willing to try new things"),
    r"headstrong": ("determined", "committed"),
    r"hierarch\w*": ("structured", "organised"),
    r"outspoken": ("candid", "open"),
    r"reckless\w*": ("bold", "willing to take measured risks"),
    r"stubborn\w*": ("persistent", "committed"),
    r"self[- ]?reliant|self[- ]?relian\w*": ("independent", "resourceful"),
    r"decisive\w*": ("clear in judgement", "able to make good decisions"),
    r"ninjas?": ("expert", "specialist"),
    r"rock ?stars?": ("expert", "skilled engineer", "standout"),
    r"gurus?": ("expert", "specialist"),
    r"superstars?": ("expert", "high performer"),
    r"guys": ("everyone", "folks", "team", "people"),
    r"chair(?:man|men)": ("chair", "chairperson"),
    r"man ?power": ("workforce", "staff", "people"),
    r"manning": ("staffing",),
    r"(?:sales|fore|work|business|spokes)(?:man|men)": ("salesperson", "supervisor", "worker",
                                                        "businessperson", "spokesperson"),
    r"he|him|his|himself": ("they", "them", "their", "you"),
})

FEMININE = _words("feminine", {
    r"affectionate": ("friendly", "caring"),
    r"nag(?:s|ging|ged)?": ("remind", "follow up"),
    r"whin(?:e|es|ing|y)": ("complain",),
    r"submissive\w*": ("cooperative",),
    r"flatterable": ("open to feedback",),
    r"tender(?:ness|ly)?(?! (?:process|offer|documents?))": ("caring",),
    r"gentle\w*": ("considerate", "calm"),
    r"nurtur\w*": ("develop", "grow", "mentor"),
    r"sympath\w*": ("understanding", "considerate"),
    r"compassion\w*": ("understanding", "considerate"),
    r"emotiona\w*": ("attentive", "perceptive"),
})

AGE = _words("age", {
    r"young(?:er)?|youthful": ("motivated", "enthusiastic", "new to the field"),
    r"digital natives?": ("fluent with digital tools", "comfortable with technology"),
    r"(?:recent|new|fresh) (?:college |university )?grad(?:uate)?s?": (
        "early-career", "at any stage of your career", "describe the skills needed instead"),
    r"energetic": ("motivated", "enthusiastic", "engaged"),
    r"fresh": ("new", "original", "innovative"),
    r"(?:max(?:imum)?\.?|at most|no more than|not more than) \d+\+? (?:years?|yrs?)"
    r"(?: (?:of )?(?:professional |relevant |work )?experience)?": (
        "at least N years of experience", "experience with …", "describe the skills needed instead"),
})

CODED_WORDS: tuple[CodedWord, ...] = (*MASCULINE, *FEMININE, *AGE)
