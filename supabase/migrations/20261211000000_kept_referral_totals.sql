-- Referral figures that cost as much for a million referrals as for a thousand (issue 19).
--
-- Four tallies of the referrals, kept by statement triggers on public.referrals in the
-- same transaction as the change, as public.hire_totals is for the hires:
--
--   referral_job_counts    referrals per job and stage, every outcome: the pipeline's
--                          counts when filtered by job or department.
--   referral_day_totals    credited referrals (outcome 'owner') per day they were made
--                          (UTC) and job: referrals, those that reached an interview, hires.
--                          The programme's figures by month and by department.
--   referrer_day_totals    the same per day and referrer: the programme's top referrers.
--   referrer_totals        the same per referrer over all time: points, badges and the
--                          leaderboard (private.referrer_scores).
--
-- A job of nobody ("open to anything") is a null job_id, one key (nulls not distinct);
-- the tables keyed by it have a number for their primary key.
-- Nobody writes them but these triggers; staff may read them, everyone else reaches them
-- through the security-definer functions. A test compares them with the referrals.

create table public.referral_job_counts (
  id bigint generated always as identity primary key,
  job_id uuid,
  stage public.referral_stage not null,
  referrals bigint not null,
  unique nulls not distinct (job_id, stage)
);

create table public.referral_day_totals (
  id bigint generated always as identity primary key,
  day date not null,
  job_id uuid,
  referrals bigint not null,
  interviews bigint not null,
  hires bigint not null,
  unique nulls not distinct (day, job_id)
);

create table public.referrer_day_totals (
  day date not null,
  referrer_id uuid not null,
  referrals bigint not null,
  interviews bigint not null,
  hires bigint not null,
  primary key (day, referrer_id)
);

create table public.referrer_totals (
  referrer_id uuid primary key,
  referrals bigint not null,
  interviews bigint not null,
  hires bigint not null
);

alter table public.referral_job_counts enable row level security;
alter table public.referral_day_totals enable row level security;
alter table public.referrer_day_totals enable row level security;
alter table public.referrer_totals enable row level security;
create policy "referral job counts: staff read" on public.referral_job_counts
  for select to authenticated using ((select private.is_staff()));
create policy "referral day totals: staff read" on public.referral_day_totals
  for select to authenticated using ((select private.is_staff()));
create policy "referrer day totals: staff read" on public.referrer_day_totals
  for select to authenticated using ((select private.is_staff()));
create policy "referrer totals: staff read" on public.referrer_totals
  for select to authenticated using ((select private.is_staff()));
revoke all on public.referral_job_counts, public.referral_day_totals, public.referrer_day_totals,
  public.referrer_totals from anon, authenticated;
grant select on public.referral_job_counts, public.referral_day_totals, public.referrer_day_totals,
  public.referrer_totals to authenticated;
grant all on public.referral_job_counts, public.referral_day_totals, public.referrer_day_totals,
  public.referrer_totals to service_role;

-- The statements that add the rows `changes` selects (a query of referrals with a `sign`
-- column: +1 for rows added, -1 for rows removed) to the four tallies. Run by the trigger
-- below, which alone can read its statement's transition tables, and by the recount. Each
-- table is changed in key order and the tables always in this order, so two writers lock
-- the rows they share in the same order and never wait on each other in a circle. Groups
-- whose changes cancel out (an update of a column no tally counts) are left alone, so they
-- take no lock. A group whose referrals all went stays, at zero, and readers skip it:
-- deleting it would lock rows out of that order (a statement deleting the emptied groups
-- of its first table after another writer took them deadlocked under test).
create function private.referral_totals_statements(changes text) returns text[]
language plpgsql immutable set search_path = ''
as $$
declare
  tallies constant text := 'sum(sign) as referrals,'
    ' sum(sign * (interviewed_at is not null)::int) as interviews,'
    ' sum(sign * (stage = ''hired'')::int) as hires';
  moved constant text := 'having sum(sign) <> 0 or sum(sign * (interviewed_at is not null)::int) <> 0'
    ' or sum(sign * (stage = ''hired'')::int) <> 0';
  add constant text := 'referrals = t.referrals + excluded.referrals,'
    ' interviews = t.interviews + excluded.interviews, hires = t.hires + excluded.hires';
  statements text[];
begin
  statements := array[
    format($sql$
      insert into public.referral_job_counts as t (job_id, stage, referrals)
      select job_id, stage, sum(sign) from (%s) c group by 1, 2 having sum(sign) <> 0 order by 1, 2
      on conflict (job_id, stage) do update set referrals = t.referrals + excluded.referrals
      $sql$, changes),
    format($sql$
      insert into public.referral_day_totals as t (day, job_id, referrals, interviews, hires)
      select (created_at at time zone 'UTC')::date, job_id, %s
      from (%s) c where outcome = 'owner' group by 1, 2 %s order by 1, 2
      on conflict (day, job_id) do update set %s
      $sql$, tallies, changes, moved, add),
    format($sql$
      insert into public.referrer_day_totals as t (day, referrer_id, referrals, interviews, hires)
      select (created_at at time zone 'UTC')::date, referrer_id, %s
      from (%s) c where outcome = 'owner' group by 1, 2 %s order by 1, 2
      on conflict (day, referrer_id) do update set %s
      $sql$, tallies, changes, moved, add),
    format($sql$
      insert into public.referrer_totals as t (referrer_id, referrals, interviews, hires)
      select referrer_id, %s from (%s) c where outcome = 'owner' group by 1 %s order by 1
      on conflict (referrer_id) do update set %s
      $sql$, tallies, changes, moved, add)];
  return statements;
end
$$;

create function private.referral_totals_apply() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  statement text;
begin
  foreach statement in array private.referral_totals_statements(case tg_op
      when 'INSERT' then 'select 1 as sign, r.* from new_rows r'
      when 'DELETE' then 'select -1 as sign, r.* from old_rows r'
      else 'select 1 as sign, r.* from new_rows r union all select -1, r.* from old_rows r' end) loop
    execute statement;
  end loop;
  return null;
end
$$;

create function private.forget_referral_totals() returns void
language sql security definer set search_path = ''
as $$
  delete from public.referral_job_counts;
  delete from public.referral_day_totals;
  delete from public.referrer_day_totals;
  delete from public.referrer_totals;
$$;

create function private.referral_totals_clear() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.forget_referral_totals();
  return null;
end
$$;

-- Every tally counted again from the referrals: by this migration, and after a bulk load
-- with the triggers off (benchmarks/referrals.py).
create function private.recount_referral_totals() returns void
language plpgsql security definer set search_path = ''
as $$
declare
  statement text;
begin
  perform private.forget_referral_totals();
  foreach statement in array private.referral_totals_statements(
      'select 1 as sign, r.* from public.referrals r') loop
    execute statement;
  end loop;
end
$$;
revoke all on function private.referral_totals_statements(text), private.referral_totals_apply(),
  private.recount_referral_totals(), private.referral_totals_clear(), private.forget_referral_totals() from public, anon, authenticated;

create trigger referral_totals_insert after insert on public.referrals
  referencing new table as new_rows
  for each statement execute function private.referral_totals_apply();
create trigger referral_totals_update after update on public.referrals
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.referral_totals_apply();
create trigger referral_totals_delete after delete on public.referrals
  referencing old table as old_rows
  for each statement execute function private.referral_totals_apply();
create trigger referral_totals_truncate after truncate on public.referrals
  for each statement execute function private.referral_totals_clear();

select private.recount_referral_totals();

-- Points and badges from the kept totals, not from every referral (same figures: 10 for
-- each credited referral, 30 more once it reached an interview, 100 more when hired).
create or replace function private.referrer_scores()
returns table (referrer_id uuid, referrals bigint, interviews bigint, hires bigint, points bigint,
               badges text[])
language sql stable security definer set search_path = ''
as $$
  select c.referrer_id, c.referrals, c.interviews, c.hires,
         c.referrals * 10 + c.interviews * 30 + c.hires * 100,
         array_remove(array[
           case when c.referrals >= 1 then 'First referral' end,
           case when c.referrals >= 5 then 'Talent scout' end,
           case when c.interviews >= 1 then 'Interview maker' end,
           case when c.hires >= 1 then 'First hire' end,
           case when c.hires >= 3 then 'Hat trick' end], null)
  from public.referrer_totals c
  where c.referrals > 0
$$;
