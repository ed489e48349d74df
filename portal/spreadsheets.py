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
import re

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


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table, columns sized to their contents."""
    buffer = io.BytesIO()
    # Cells are written as the text they are: never turned into formulas or links.
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for i, column in enumerate(table.columns):
                width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
                sheet.set_column(i, i, min(max(width + 2, 10), 60))
    return buffer.getvalue()
