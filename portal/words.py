"""How counts read in sentences shown to people: "1 post", "3 posts", never "post(s)"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` with `noun`, plural unless the count is one: counted(1, "post") is "1 post",
    counted(1200, "hire") is "1,200 hires"; nouns with an irregular plural pass it,
    counted(2, "reply", "replies")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
