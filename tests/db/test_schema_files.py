"""supabase/schemas/ shows what the migrations make: regenerated from a freshly migrated
database, the files must be the ones checked in."""

from __future__ import annotations

import pytest

from portal import schema_files


@pytest.fixture(scope="module")
def generated(engine) -> dict[str, str]:
    return schema_files.generate(engine)


def test_schema_files_agree_with_the_migrations(generated):
    checked_in = {path.name: path.read_text(encoding="utf-8")
                  for path in schema_files.SCHEMAS_DIR.glob("*.sql")}
    assert sorted(checked_in) == sorted(generated), "run `portal db schemas`"
    stale = [name for name in generated if checked_in[name] != generated[name]]
    assert stale == [], f"{', '.join(stale)} differ from the migrations: run `portal db schemas`"


def test_every_rule_and_table_is_filed_once(generated):
    text = "\n".join(generated.values())
    for statement in ("CREATE TABLE public.referrals ", "CREATE FUNCTION private.me()",
                      "CREATE POLICY \"referrals: staff, and the referrer's own\""):
        assert text.count(statement) == 1, statement
    assert "\\restrict" not in text and "OWNER TO" not in text


def test_an_unfiled_object_is_named():
    dumped = ("--\n-- Name: mystery; Type: TABLE; Schema: public; Owner: -\n--\n\n"
              "CREATE TABLE public.mystery (id integer);\n")
    with pytest.raises(schema_files.UnfiledObject, match="mystery"):
        schema_files.render(dumped)
