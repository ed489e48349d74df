-- The sign-in back-off renamed sign_in_failures.email to key; Postgres 18 names NOT NULL
-- constraints and kept the old column's name for it. Give it the name Postgres would give the
-- column now, so that the schema reads the same on 18 and on Supabase's 15 and 17 (which do
-- not name NOT NULL constraints: there is nothing to rename there).
do $$
begin
  if exists (select 1 from pg_constraint
             where conname = 'sign_in_failures_email_not_null'
               and conrelid = 'private.sign_in_failures'::regclass) then
    alter table private.sign_in_failures
      rename constraint sign_in_failures_email_not_null to sign_in_failures_key_not_null;
  end if;
end
$$;
