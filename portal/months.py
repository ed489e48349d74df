"""Calendar months, as the reports count them."""

from __future__ import annotations

from datetime import date


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of `day`'s month, or of the month `months_back` months before it
    (a negative number counts forward)."""
    months = day.year * 12 + day.month - 1 - months_back
    return date(months // 12, months % 12 + 1, 1)
