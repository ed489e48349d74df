"""Hiring stages as the company names them (issue 16): the recruiters' name of each
application stage, the candidate's wording, and which optional stages are in use.

The stages themselves are fixed (`public.application_status`: the funnel, savings and
referral points depend on what each means); the words are the company's, in
`public.hiring_stages`. Every screen, export and email reads them through `stage_labels`,
kept in memory per process until the table changes (portal/shared.py)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import shared, validation
from portal.db import transaction, translate_refusals
from portal.errors import PermissionDenied
from portal.models import Actor

STAGES = ("new", "reviewing", "interviewing", "offer", "hired", "rejected", "withdrawn")
# The defaults (seeded by the migration); the company may rename them.
DEFAULT_LABELS = {"new": "Applied", "reviewing": "Screening", "interviewing": "Interviewing",
                  "offer": "Offer", "hired": "Hired", "rejected": "Rejected", "withdrawn": "Withdrawn"}
DEFAULT_CANDIDATE_LABELS = {"new": "Received", "reviewing": "Being reviewed",
                            "interviewing": "Interviewing", "offer": "Offer made", "hired": "Hired",
                            "rejected": "Not selected", "withdrawn": "Withdrawn"}
# Always in use: every application starts at Applied and ends hired, rejected or withdrawn.
REQUIRED = ("new", "hired", "rejected", "withdrawn")
OPTIONAL = tuple(s for s in STAGES if s not in REQUIRED)
MAX_LABEL = 40


@dataclass(frozen=True)
class StageWords:
    """What each stage is called: `staff[status]` for recruiters, `candidate[status]` for
    the candidate, and the stages in use, in order (what a move may choose)."""
    staff: dict[str, str]
    candidate: dict[str, str]
    in_use: tuple[str, ...]

    def label(self, status: str | None) -> str:
        return self.staff.get(status or "", status or "")

    def candidate_label(self, status: str | None) -> str:
        return self.candidate.get(status or "", status or "")


def _candidate_words(conn: Connection) -> dict[str, str]:
    rows = conn.execute(sa.text("select status, candidate_label from private.candidate_stage_labels()"))
    return {**DEFAULT_CANDIDATE_LABELS, **{r.status: r.candidate_label for r in rows}}


def _staff_words(conn: Connection) -> StageWords:
    rows = conn.execute(sa.text(
        "select status::text as status, label, candidate_label, in_use from public.hiring_stages"
        " order by status")).all()
    staff = {**DEFAULT_LABELS, **{r.status: r.label for r in rows}}
    candidate = {**DEFAULT_CANDIDATE_LABELS, **{r.status: r.candidate_label for r in rows}}
    off = {r.status for r in rows if not r.in_use}
    return StageWords(staff, candidate, tuple(s for s in STAGES if s not in off))


def stage_labels(actor: Actor | None = None) -> StageWords:
    """The stages' words, as `actor` may read them: staff get the company's names for
    recruiters and which stages are in use; everyone else (candidates, visitors, the worker
    writing to a candidate) the candidate's wording, with the default recruiters' names."""
    if actor is not None and actor.role is not None and actor.role.is_staff:
        return shared.staff_view(actor, "hiring_stages", _staff_words)
    candidate = shared.visitors_view("candidate_stage_labels", _candidate_words)
    return StageWords(DEFAULT_LABELS, candidate, STAGES)


def candidate_stage(status: str) -> str:
    """The stage as the candidate reads it."""
    return stage_labels().candidate_label(status)


# --- editing (admins) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StageEdit:
    status: str
    label: str
    candidate_label: str
    in_use: bool = True


def check_stages(edits: list[StageEdit]) -> list[StageEdit]:
    """Every stage's words checked and tidied; all problems at once, each under its field
    (`label:<status>`, `candidate_label:<status>`, `in_use:<status>`)."""
    problems = validation.FormProblems()
    tidy: list[StageEdit] = []
    for edit in edits:
        label = problems.check(f"label:{edit.status}", _label, "Name for recruiters", edit.label)
        candidate = problems.check(f"candidate_label:{edit.status}", _label,
                                   "Name for candidates", edit.candidate_label)
        if edit.status in REQUIRED and not edit.in_use:
            problems.add(f"in_use:{edit.status}",
                         f"{DEFAULT_LABELS[edit.status]} is always in use.")
        tidy.append(StageEdit(edit.status, label or "", candidate or "", edit.in_use))
    for field, what in (("label", "recruiters"), ("candidate_label", "candidates")):
        seen: dict[str, str] = {}
        for edit in tidy:
            name = getattr(edit, field).casefold()
            if not name:
                continue
            if name in seen:
                problems.add(f"{field}:{edit.status}",
                             f"Another stage is already called “{getattr(edit, field)}” for "
                             f"{what}: give each stage its own name.")
            seen[name] = edit.status
    problems.raise_any()
    return tidy


def _label(what: str, value: str) -> str:
    return validation.text(what, value, minimum=1, maximum=MAX_LABEL, single_line=True)


def save_stages(actor: Actor, edits: list[StageEdit]) -> int:
    """Store the company's words for the stages (admins); how many stages changed."""
    tidy = check_stages(edits)
    with translate_refusals(denied="Only admins can change the hiring stages."), \
            transaction(actor) as conn:
        if not (actor.role is not None and actor.role.value == "admin"):
            raise PermissionDenied("Only admins can change the hiring stages.")
        changed = 0
        for edit in tidy:
            changed += conn.execute(sa.text(
                "update public.hiring_stages set label = :label, candidate_label = :candidate,"
                " in_use = :in_use where status = cast(:status as public.application_status)"
                " and (label, candidate_label, in_use) is distinct from (:label, :candidate, :in_use)"),
                {"label": edit.label, "candidate": edit.candidate_label, "in_use": edit.in_use,
                 "status": edit.status}).rowcount
    return changed
