import csv
import io

import pandas as pd
import pytest

from portal.spreadsheets import csv_bytes, defused, undefused


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("Intro\r=1+1", "Intro\r'=1+1"),  # a reader splitting on CR sees "'=1+1"
    ("Intro\n+2", "Intro\n'+2"),
    ("Intro\r\n-3", "Intro\r\n'-3"),
    ("Engineering", "Engineering"),
    ("a = b", "a = b"),
])
def test_formula_starts_are_defused_at_every_line(text, safe):
    assert defused(text) == safe
    assert undefused(safe) == text


def test_csv_quotes_every_text_cell_and_keeps_numbers():
    table = pd.DataFrame({"department": ["Intro\r=1+1", "Sales; EMEA", None], "hires": [1, 2, 3]})
    data = csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert '"Intro\r\'=1+1",1' in text and '"Sales; EMEA",2' in text
    # No piece of the file, split at any line break, starts a formula.
    assert not any(piece.lstrip('"').startswith(("=", "+", "-", "@")) for piece in text.splitlines())
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["department"] for r in rows] == ["Intro\r'=1+1", "Sales; EMEA", ""]
