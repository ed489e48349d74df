"""Reading CSV files people export from spreadsheets: the header row names the columns in
any order, rows are numbered as a spreadsheet shows them (the header is row 1), and a
problem in one row is reported with its number while the other rows go on."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from portal.errors import ValidationError
from portal.spreadsheets import undefused
from portal.validation import MAX_AMOUNT

MAX_IMPORT_ROWS = 100_000
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_GROUPED_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_imported: int
    problems: list[RowProblem]
    ignored_columns: list[str]


@dataclass(frozen=True)
class CsvTable:
    rows: Iterator[tuple[int, dict[str, str]]]  # (spreadsheet row number, column → trimmed cell)
    ignored_columns: list[str]  # named in the header but not ours


def read_table(data: bytes, required: tuple[str, ...], optional: tuple[str, ...]) -> CsvTable:
    """The file's rows as dicts keyed by the header's (lower-cased) column names.

    A file that cannot be read as a whole (not UTF-8, no header, a required column missing
    or named twice) raises ValidationError; so does a row that breaks the CSV syntax, since
    the rows after it cannot be trusted either. Blank lines are skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text. Save it from your spreadsheet as "
                              "“CSV UTF-8” and import it again.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ValidationError(f"The first row cannot be read as CSV ({error}).") from None
    if not header or not any(cell.strip() for cell in header):
        raise ValidationError("The file is empty. Its first row must name the columns: "
                              + ", ".join(required) + ".")
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise ValidationError("The first row must name the columns; missing: "
                              + ", ".join(missing) + ". Found: " + ", ".join(n for n in names if n)
                              + ".")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise ValidationError("The first row names a column twice: " + ", ".join(repeated)
                              + ". Keep one of each and import again.")
    ignored = [n for n in names if n and n not in required + optional]

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in _numbered_rows(reader):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            if number - 1 > MAX_IMPORT_ROWS:
                raise ValidationError(f"The file has more than {MAX_IMPORT_ROWS:,} rows; split it "
                                      "into smaller files. Nothing was imported.")
            # An exported file comes back as it went out (see portal.spreadsheets).
            yield number, {name: (undefused(cells[i].strip()) if i < len(cells) else "")
                           for i, name in enumerate(names)}

    return CsvTable(records(), ignored)


def check_no_control_characters(record: dict[str, str]) -> None:
    for column, value in record.items():
        if _CONTROL_CHARACTERS.search(value):
            raise ValidationError(f"{column} contains control characters")


def _numbered_rows(reader) -> Iterator[tuple[int, list[str]]]:
    """The reader's rows with their spreadsheet row numbers (a quoted cell may span lines)."""
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ValidationError(f"Row {number + 1} cannot be read as CSV ({error}); nothing "
                                  "was imported. Check its quotes, or save the file as CSV again.") \
                from None
        number += 1
        yield number, cells


def amount_cell(record: dict[str, str], column: str, *, required: bool = False) -> Decimal:
    """A cell holding an amount of money: a plain number (85000 or 85000.50; 85,000 is read as
    eighty-five thousand), at least 0; empty means 0 unless `required`."""
    text = record.get(column, "").replace(" ", "")
    if not text:
        if required:
            raise ValidationError(f"{column} is empty")
        return Decimal(0)
    if _GROUPED_THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{column} “{record[column]}” is not a number") from None
    if not value.is_finite():
        raise ValidationError(f"{column} “{record[column]}” is not a number")
    if value < 0:
        raise ValidationError(f"{column} must not be negative")
    if value > Decimal(str(MAX_AMOUNT)):
        raise ValidationError(f"{column} {value} is too large")
    return round(value, 2)
