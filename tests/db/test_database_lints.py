# ruff: noqa: S608 - the queries are built from constants of this module, nothing comes from outside
"""Supabase's database linter (splinter), restated: the migrated schema has no ERROR and no
WARN row, and every INFO row left is listed below with the reason it stays.

Nothing is vendored: each check is the portal's own SQL over the system catalogs, written
to flag what the splinter lint of the same name flags (https://github.com/supabase/splinter,
`lints/*.sql`), limited to what a schema of the portal can trip. Left out: the lints about
Supabase's own schemas (auth_users_exposed, fkey_to_auth_unique, rls_references_user_metadata,
storage buckets, pg_graphql exposure), those that need usage statistics (unused_index,
table_bloat) and extension versions. "Exposed" schemas are PostgREST's `db_schemas`, which
Supabase sets to `public` (and `graphql_public`, which the portal does not touch).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

# Schemas splinter never looks into: Supabase's and extensions'. The task queue's schema
# (`procrastinate`, the package's own tables and functions) is linted like the portal's.
SKIPPED = ("'pg_catalog', 'information_schema', 'pg_toast', 'auth', 'storage', 'vault',"
           " 'extensions', 'graphql', 'graphql_public', 'realtime', 'supabase_functions',"
           " 'supabase_migrations', 'cron', 'net', 'pgsodium', 'pgsodium_masks', 'pgbouncer'")
EXPOSED = "array['public']"
OWNED_BY_EXTENSION = ("exists (select 1 from pg_catalog.pg_depend d"
                      " where d.objid = {oid} and d.deptype = 'e')")

# name -> (level, query returning one text column: what is flagged)
LINTS: dict[str, tuple[str, str]] = {
    # 0001_unindexed_foreign_keys: no valid index whose leading columns are the key's columns.
    "unindexed_foreign_keys": ("INFO", f"""
        select format('%s.%s %s', n.nspname, c.relname, k.conname)
        from pg_catalog.pg_constraint k
        join pg_catalog.pg_class c on c.oid = k.conrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where k.contype = 'f' and n.nspname not in ({SKIPPED})
          and not {OWNED_BY_EXTENSION.format(oid='c.oid')}
          and not exists (
            select 1 from pg_catalog.pg_index i
            where i.indrelid = k.conrelid and i.indisvalid
              and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(k.conkey)]
                  = k.conkey)"""),
    # 0003_auth_rls_initplan: auth.<function>() or current_setting() in a policy not wrapped
    # in `(select ...)`, so evaluated once per row instead of once per statement.
    "auth_rls_initplan": ("WARN", f"""
        select format('%s.%s %s', p.schemaname, p.tablename, p.policyname)
        from pg_catalog.pg_policies p
        join pg_catalog.pg_namespace n on n.nspname = p.schemaname
        join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
        cross join lateral (values (coalesce(p.qual, '')), (coalesce(p.with_check, ''))) e(expr)
        cross join lateral (values ('auth.uid()'), ('auth.jwt()'), ('auth.role()'),
                                   ('auth.email()'), ('current_setting(')) f(call)
        where c.relrowsecurity and p.schemaname not in ({SKIPPED})
          and strpos(e.expr, f.call) > 0 and strpos(lower(e.expr), 'select ' || f.call) = 0
        group by 1"""),
    # 0004_no_primary_key
    "no_primary_key": ("INFO", f"""
        select format('%s.%s', n.nspname, c.relname)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname not in ({SKIPPED})
          and not {OWNED_BY_EXTENSION.format(oid='c.oid')}
          and not exists (select 1 from pg_catalog.pg_index i
                          where i.indrelid = c.oid and i.indisprimary)"""),
    # 0006_multiple_permissive_policies: two permissive policies for one role and one action
    # (`ALL` counts for each action; a policy for PUBLIC counts for every role).
    "multiple_permissive_policies": ("WARN", f"""
        select format('%s.%s %s %s %s', n.nspname, c.relname, r.rolname, a.cmd,
                      array_agg(p.polname::text order by p.polname))
        from pg_catalog.pg_policy p
        join pg_catalog.pg_class c on c.oid = p.polrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        join pg_catalog.pg_roles r on p.polroles @> array[r.oid] or p.polroles = array[0::oid]
        cross join lateral unnest(case p.polcmd when 'r' then array['SELECT']
                                                when 'a' then array['INSERT']
                                                when 'w' then array['UPDATE']
                                                when 'd' then array['DELETE']
                                  else array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] end) a(cmd)
        where c.relkind = 'r' and p.polpermissive and n.nspname not in ({SKIPPED})
          and r.rolname not like 'pg\\_%' and not r.rolbypassrls
          and not {OWNED_BY_EXTENSION.format(oid='c.oid')}
        group by n.nspname, c.relname, r.rolname, a.cmd
        having count(*) > 1"""),
    # 0007_policy_exists_rls_disabled
    "policy_exists_rls_disabled": ("ERROR", f"""
        select distinct format('%s.%s', n.nspname, c.relname)
        from pg_catalog.pg_policy p
        join pg_catalog.pg_class c on c.oid = p.polrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and not c.relrowsecurity and n.nspname not in ({SKIPPED})"""),
    # 0008_rls_enabled_no_policy
    "rls_enabled_no_policy": ("INFO", f"""
        select format('%s.%s', n.nspname, c.relname)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and c.relrowsecurity and n.nspname not in ({SKIPPED})
          and not {OWNED_BY_EXTENSION.format(oid='c.oid')}
          and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid)"""),
    # 0009_duplicate_index: two indexes with the same definition but for their names.
    "duplicate_index": ("WARN", f"""
        select format('%s.%s %s', i.schemaname, i.tablename,
                      array_agg(i.indexname::text order by i.indexname))
        from pg_catalog.pg_indexes i
        where i.schemaname not in ({SKIPPED})
        group by i.schemaname, i.tablename, replace(i.indexdef, i.indexname, '')
        having count(*) > 1"""),
    # 0010_security_definer_view: a view in an exposed schema that visitors or signed-in
    # users may select from and that runs with its owner's rights (no security_invoker).
    "security_definer_view": ("ERROR", f"""
        select format('%s.%s', n.nspname, c.relname)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'v' and n.nspname = any({EXPOSED})
          and (has_table_privilege('anon', c.oid, 'SELECT')
               or has_table_privilege('authenticated', c.oid, 'SELECT'))
          and not {OWNED_BY_EXTENSION.format(oid='c.oid')}
          and not coalesce(lower(c.reloptions::text)::text[], '{{}}')
                  && array['security_invoker=1', 'security_invoker=true',
                           'security_invoker=yes', 'security_invoker=on']"""),
    # 0011_function_search_path_mutable: a function without its own search_path setting.
    "function_search_path_mutable": ("WARN", f"""
        select format('%s.%s(%s)', n.nspname, p.proname,
                      pg_catalog.pg_get_function_identity_arguments(p.oid))
        from pg_catalog.pg_proc p
        join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        where n.nspname not in ({SKIPPED})
          and not {OWNED_BY_EXTENSION.format(oid='p.oid')}
          and not exists (select 1 from unnest(coalesce(p.proconfig, '{{}}')) s(setting)
                          where s.setting like 'search\\_path=%')"""),
    # 0013_rls_disabled_in_public: an exposed table that visitors or signed-in users may
    # select from without row-level security.
    "rls_disabled_in_public": ("ERROR", f"""
        select format('%s.%s', n.nspname, c.relname)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and not c.relrowsecurity and n.nspname = any({EXPOSED})
          and (has_table_privilege('anon', c.oid, 'SELECT')
               or has_table_privilege('authenticated', c.oid, 'SELECT'))"""),
    # 0014_extension_in_public
    "extension_in_public": ("WARN", """
        select e.extname::text from pg_catalog.pg_extension e
        where e.extname <> 'plpgsql' and e.extnamespace = 'public'::regnamespace"""),
    # 0024_rls_policy_always_true: a permissive policy for visitors, signed-in users or
    # PUBLIC that lets any row be changed (selecting with `true` is allowed by the lint).
    "rls_policy_always_true": ("WARN", f"""
        select format('%s.%s %s', p.schemaname, p.tablename, p.policyname)
        from pg_catalog.pg_policies p
        join pg_catalog.pg_namespace n on n.nspname = p.schemaname
        join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
        cross join lateral (values (
            regexp_replace(lower(coalesce(p.qual, '')), '\\s', '', 'g'),
            regexp_replace(lower(coalesce(p.with_check, '')), '\\s', '', 'g'))) e(q, w)
        where c.relkind = 'r' and c.relrowsecurity and p.permissive = 'PERMISSIVE'
          and p.schemaname not in ({SKIPPED})
          and (p.roles && array['public', 'anon', 'authenticated']::name[])
          and ((p.cmd in ('UPDATE', 'DELETE', 'ALL')
                and (e.q in ('true', '(true)', '1=1', '(1=1)') or p.qual is null))
               or e.w in ('true', '(true)', '1=1', '(1=1)')
               or (p.cmd = 'INSERT' and p.with_check is null)
               or (p.cmd in ('UPDATE', 'ALL') and p.with_check is null
                   and e.q in ('true', '(true)', '1=1', '(1=1)')))"""),
    # 0016_materialized_view_in_api / 0017_foreign_table_in_api: no RLS on either.
    "materialized_view_or_foreign_table_in_api": ("WARN", f"""
        select format('%s.%s', n.nspname, c.relname)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('m', 'f') and n.nspname = any({EXPOSED})
          and (has_table_privilege('anon', c.oid, 'SELECT')
               or has_table_privilege('authenticated', c.oid, 'SELECT'))"""),
    # 0028_anon_security_definer_function_executable and 0029_authenticated_...: a
    # SECURITY DEFINER function in an exposed schema that the Data API lets callers run.
    "security_definer_function_executable": ("WARN", f"""
        select format('%s.%s(%s) by %s', n.nspname, p.proname,
                      pg_catalog.pg_get_function_identity_arguments(p.oid), r.role)
        from pg_catalog.pg_proc p
        join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        cross join (values ('anon'), ('authenticated')) r(role)
        where p.prosecdef and n.nspname = any({EXPOSED})
          and has_function_privilege(r.role, p.oid, 'EXECUTE')"""),
    # Not a splinter lint; the review that ran splinter found it beside them: a role that may
    # execute a function or use a table in a schema it has no usage on holds a grant that
    # does nothing, and would gain the object the day someone grants the schema.
    "grant_without_schema_usage": ("WARN", f"""
        select format('%s %s', r.role, o.what)
        from (values ('anon'), ('authenticated'), ('service_role')) r(role)
        cross join lateral (
            select p.oid::regprocedure::text, p.pronamespace
            from pg_catalog.pg_proc p
            where has_function_privilege(r.role, p.oid, 'EXECUTE')
            union all
            select c.oid::regclass::text, c.relnamespace
            from pg_catalog.pg_class c
            where c.relkind in ('r', 'v', 'm', 'p', 'f')
              and has_table_privilege(r.role, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
        ) o(what, namespace)
        join pg_catalog.pg_namespace n on n.oid = o.namespace
        where n.nspname not in ({SKIPPED}) and n.nspname not like 'pg\\_%'
          and not has_schema_privilege(r.role, n.oid, 'USAGE')"""),
}

# The INFO rows that stay, each with its reason. None stays: migration
# 20261213000000_splinter_clean gave every foreign key an index and every table a primary
# key, and the two tables only security-definer code touches a policy naming service_role.
ACCEPTED_INFO: dict[str, set[str]] = {}


def run_lints(conn: sa.Connection) -> dict[str, list[str]]:
    """Each lint's flagged objects. The queries go to the driver as they are (no parameters,
    so `%` in format() is Postgres's, not the driver's)."""
    cursor = conn.connection.driver_connection.cursor()
    found = {}
    for name, (_level, sql) in LINTS.items():
        cursor.execute(sql)
        found[name] = sorted(row[0] for row in cursor.fetchall())
    return found


@pytest.fixture(scope="module")
def found(engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return run_lints(conn)


@pytest.mark.parametrize("name", [n for n, (level, _) in LINTS.items() if level != "INFO"])
def test_no_error_or_warning(found, name):
    assert found[name] == [], f"{LINTS[name][0]} {name}"


@pytest.mark.parametrize("name", [n for n, (level, _) in LINTS.items() if level == "INFO"])
def test_info_rows_are_the_accepted_ones(found, name):
    assert set(found[name]) == ACCEPTED_INFO.get(name, set()), f"INFO {name}"


# What each check is for, made on purpose in a transaction that is rolled back: a check
# that flagged nothing because its query were wrong would pass the tests above.
PLANTED = """
    create table public.lint_parent (id int primary key);
    create table public.lint_child (parent_id int references public.lint_parent (id), note text);
    grant select on public.lint_child to anon;
    create index lint_child_a on public.lint_child (note);
    create index lint_child_b on public.lint_child (note);
    create table public.lint_locked (id int primary key);
    alter table public.lint_locked enable row level security;
    create table public.lint_policed (id int primary key, owner uuid);
    alter table public.lint_policed enable row level security;
    create policy lint_one on public.lint_policed for select to authenticated
      using (owner = auth.uid());
    create policy lint_two on public.lint_policed for all to authenticated using (true);
    create policy lint_off on public.lint_child for select to anon using (true);
    create function public.lint_mutable() returns int language sql as 'select 1';
    create function public.lint_definer() returns int language sql security definer
      set search_path = '' as 'select 1';
    grant execute on function public.lint_definer() to anon;
    create view public.lint_view as select 1 as one;
    grant select on public.lint_view to anon;
    create materialized view public.lint_matview as select 1 as one;
    grant select on public.lint_matview to anon;
    create schema lint_hidden;
    create function lint_hidden.lint_unreachable() returns int language sql
      set search_path = '' as 'select 1';
    grant execute on function lint_hidden.lint_unreachable() to service_role;
"""
EXPECTED_FINDINGS = {
    "unindexed_foreign_keys": "public.lint_child lint_child_parent_id_fkey",
    "auth_rls_initplan": "public.lint_policed lint_one",
    "no_primary_key": "public.lint_child",
    "multiple_permissive_policies": "public.lint_policed authenticated SELECT {lint_one,lint_two}",
    "policy_exists_rls_disabled": "public.lint_child",
    "rls_enabled_no_policy": "public.lint_locked",
    "duplicate_index": "public.lint_child {lint_child_a,lint_child_b}",
    "security_definer_view": "public.lint_view",
    "function_search_path_mutable": "public.lint_mutable()",
    "rls_disabled_in_public": "public.lint_child",
    "rls_policy_always_true": "public.lint_policed lint_two",
    "materialized_view_or_foreign_table_in_api": "public.lint_matview",
    "security_definer_function_executable": "public.lint_definer() by anon",
    "grant_without_schema_usage": "service_role lint_hidden.lint_unreachable()",
}


def test_each_check_flags_what_it_is_for(engine):
    with engine.connect() as conn:
        conn.connection.driver_connection.cursor().execute(PLANTED)
        found = run_lints(conn)
        conn.rollback()
    missed = {name: row for name, row in EXPECTED_FINDINGS.items() if row not in found[name]}
    assert missed == {}
    assert set(EXPECTED_FINDINGS) | {"extension_in_public"} == set(LINTS)
