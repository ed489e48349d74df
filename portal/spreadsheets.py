"""Tables as files people open in spreadsheets: CSV and Excel workbooks.

Exported cells hold text that came from imports and forms (job titles, channels, names), so
nothing in them may turn into a formula when a spreadsheet opens the file: a text cell is
always quoted (a bare carriage return or `;` would otherwise split it for some readers), and
an apostrophe goes before a formula's first character at the start of the cell and of every
line in it (a reader that splits on a carriage return would see a new cell there).
"""

from __future__ import annotations

import csv
import io
import numbers
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

MEDIA_TYPES = {"csv": "text/csv",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "pdf": "application/pdf"}
_FORMULA_START = re.compile(r"(^|[\r\n])(?=[=+\-@\t\r])")
_DEFUSED_START = re.compile(r"(^|[\r\n])'(?=[=+\-@\t\r])")


def defused(value: object) -> object:
    """`value` with an apostrophe before anything a spreadsheet would read as a formula."""
    return _FORMULA_START.sub(r"\1'", value) if isinstance(value, str) else value


def undefused(text: str) -> str:
    """`text` as it was before `defused`: an exported file imported again keeps its values."""
    return _DEFUSED_START.sub(r"\1", text)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """`table` as CSV that spreadsheets open safely: UTF-8 with a byte-order mark (so that
    Excel reads € and accents), every text cell quoted and defused."""
    table = table.copy()
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(defused)
    return table.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


# Excel number formats: cells stay numbers (they add up, sort and chart) and read as people
# expect; `money(currency)` for amounts.
COUNT = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "0%"
PERCENT_1 = "0.0%"
RATE = "0.######"
MONTH = "mmm yyyy"
DAY = "d mmm yyyy"
_CURRENCY_CODE = re.compile(r"[^A-Za-z]")

Formats = Mapping[str, Mapping[str, "str | Sequence[str | None]"]]


def money(currency: str, decimals: int = 0) -> str:
    """The number format of amounts in `currency` (an ISO code): "USD 2,149" (or with
    `decimals`, "USD 2.49")."""
    return f'"{_CURRENCY_CODE.sub("", currency)[:3]} "#,##0' + ("." + "0" * decimals if decimals else "")


def xlsx_bytes(sheets: dict[str, pd.DataFrame], formats: Formats | None = None) -> bytes:
    """An Excel workbook with one sheet per table, columns sized to their contents.

    Numbers are written as numbers and dates as dates. `formats` gives a sheet's columns an
    Excel number format, one for the whole column or one per row (None: that row's cell as
    it is); other columns of whole numbers get COUNT, of fractions DECIMAL, of dates DAY.
    """
    buffer = io.BytesIO()
    # Cells are written as the text they are: never turned into formulas or links.
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        styles: dict[str, object] = {}

        def style(number_format: str):
            if number_format not in styles:
                styles[number_format] = writer.book.add_format({"num_format": number_format})
            return styles[number_format]

        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            chosen = (formats or {}).get(name, {})
            for i, column in enumerate(table.columns):
                width = max([len(str(column))] + [len(str(v)) + 4 for v in table[column].head(200)])
                sheet.set_column(i, i, min(max(width + 2, 10), 60))
                column_formats = chosen.get(column) or _default_format(table[column])
                if column_formats is None:
                    continue
                if isinstance(column_formats, str):
                    column_formats = [column_formats] * len(table)
                for row, (value, number_format) in enumerate(zip(table[column], column_formats,
                                                                  strict=True), start=1):
                    if number_format is not None:
                        _write(sheet, row, i, value, style(number_format))
    return buffer.getvalue()


def _write(sheet, row: int, col: int, value: object, cell_format) -> None:
    """A number or a date again, now in `cell_format`; text and empty cells stay as written."""
    if value is None or isinstance(value, (bool, str)) or pd.isna(value):
        return
    if isinstance(value, (date, datetime, pd.Timestamp)):
        sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), cell_format)
    elif isinstance(value, (numbers.Real, Decimal)):
        sheet.write_number(row, col, float(value), cell_format)


def _default_format(column: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(column):
        return None
    if pd.api.types.is_integer_dtype(column):
        return COUNT
    if pd.api.types.is_float_dtype(column):
        return DECIMAL
    if pd.api.types.is_datetime64_any_dtype(column):
        return DAY
    sample = column.dropna().head(20)
    if len(sample) and all(isinstance(v, (date, datetime)) for v in sample):
        return DAY
    if len(sample) and all(isinstance(v, Decimal) for v in sample):
        return DECIMAL
    return None
