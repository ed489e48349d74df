-- Referral milestones and the pipeline at scale.
--
--   referrals.interviewed_at  when the referral first reached an interview (interviewing,
--                             offer or hired), kept by the database from the stage changes,
--                             so a referral interviewed and then not selected still counts
--                             as interviewed in points and in the programme's figures.
--   two indexes               the pipeline's table (newest first) and board (each stage's
--                             latest moves) read a page of a million referrals, not all.
--                             Neither leads with the stage: enum equality is not leakproof,
--                             so under row-level security Postgres cannot use it to search
--                             an index; it filters rows read in date order instead.
--   referral_stage_counts     how many referrals are at each stage, kept by statement
--                             triggers, so the board's unfiltered counts (and the table's
--                             total) need not count a million rows on every visit.
--
-- Points and figures count credited referrals only (outcome 'owner'): a duplicate or a
-- referral of someone who had applied already is recorded, not rewarded.

create index referrals_created_idx on public.referrals (created_at desc, id);
create index referrals_moved_idx on public.referrals (stage_changed_at desc, id);

alter table public.referrals add column interviewed_at timestamptz;

-- From the history where there is one, else from the current stage. Runs before the guard
-- below learns the column, which it would otherwise keep as it was (empty).
update public.referrals r
   set interviewed_at = coalesce(
         (select min(e.changed_at) from public.referral_stage_events e
           where e.referral_id = r.id and e.to_stage in ('interviewing', 'offer', 'hired')),
         case when r.stage in ('interviewing', 'offer', 'hired') then r.stage_changed_at end);

-- A referral recorded at a later stage (an import, the demo) reached it when it says.
create function private.stamp_new_referral() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.interviewed_at := case when new.stage in ('interviewing', 'offer', 'hired')
                             then coalesce(new.stage_changed_at, now()) end;
  return new;
end
$$;
create trigger referral_insert_stamp
  before insert on public.referrals
  for each row execute function private.stamp_new_referral();

-- The stage's date is the database's, the first interview is kept once reached and cannot
-- be set by hand, and a hire who leaves forfeits what is not yet due.
create or replace function private.guard_referral_update() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.interviewed_at := old.interviewed_at;
  if new.stage is distinct from old.stage then
    new.stage_changed_at := now();
    if old.interviewed_at is null and new.stage in ('interviewing', 'offer', 'hired') then
      new.interviewed_at := now();
    end if;
  end if;
  if new.left_on is not null and new.left_on is distinct from old.left_on then
    update public.referral_payouts p set forfeited_at = now()
     where p.referral_id = new.id and p.paid_at is null and p.forfeited_at is null
       and p.due_on > new.left_on;
  end if;
  return new;
end
$$;

-- Points and badges: 10 for each credited referral, 30 more once it reached an interview
-- (even if not selected afterwards), 100 more when hired.
create or replace function private.referrer_scores()
returns table (referrer_id uuid, referrals bigint, interviews bigint, hires bigint, points bigint,
               badges text[])
language sql stable security definer set search_path = ''
as $$
  with counts as (
    select r.referrer_id,
           count(*) as referrals,
           count(*) filter (where r.interviewed_at is not null) as interviews,
           count(*) filter (where r.stage = 'hired') as hires
    from public.referrals r
    where r.outcome = 'owner'
    group by r.referrer_id
  )
  select c.referrer_id, c.referrals, c.interviews, c.hires,
         c.referrals * 10 + c.interviews * 30 + c.hires * 100,
         array_remove(array[
           case when c.referrals >= 1 then 'First referral' end,
           case when c.referrals >= 5 then 'Talent scout' end,
           case when c.interviews >= 1 then 'Interview maker' end,
           case when c.hires >= 1 then 'First hire' end,
           case when c.hires >= 3 then 'Hat trick' end], null)
  from counts c
$$;

-- ---------------------------------------------------------------------------
-- Referrals per stage. Each statement adds up its rows' changes and applies them in stage
-- order (so two moves in opposite directions queue rather than deadlock).
-- ---------------------------------------------------------------------------
create table public.referral_stage_counts (
  stage public.referral_stage primary key,
  referrals bigint not null default 0
);
alter table public.referral_stage_counts enable row level security;
create policy "referral stage counts: staff read" on public.referral_stage_counts
  for select to authenticated using ((select private.is_staff()));
revoke all on public.referral_stage_counts from anon, authenticated;
grant select on public.referral_stage_counts to authenticated;
grant all on public.referral_stage_counts to service_role;

insert into public.referral_stage_counts (stage, referrals)
select s.stage, (select count(*) from public.referrals r where r.stage = s.stage)
from unnest(enum_range(null::public.referral_stage)) s (stage);

create function private.add_to_stage_counts(p_changes jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  change record;
begin
  for change in
    select key::public.referral_stage as stage, value::bigint as delta
    from jsonb_each_text(p_changes) where value::bigint <> 0 order by 1
  loop
    insert into public.referral_stage_counts as c (stage, referrals) values (change.stage, change.delta)
    on conflict (stage) do update set referrals = c.referrals + excluded.referrals;
  end loop;
end
$$;
revoke all on function private.add_to_stage_counts(jsonb) from public, anon, authenticated;

create function private.count_inserted_referrals() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_to_stage_counts(
    (select coalesce(jsonb_object_agg(stage::text, n), '{}') from (select stage, count(*) n from inserted group by stage) t));
  return null;
end
$$;
create function private.count_deleted_referrals() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_to_stage_counts(
    (select coalesce(jsonb_object_agg(stage::text, -n), '{}') from (select stage, count(*) n from deleted group by stage) t));
  return null;
end
$$;
create function private.count_moved_referrals() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.add_to_stage_counts((
    select coalesce(jsonb_object_agg(stage::text, n), '{}') from (
      select stage, sum(n) n from (
        select stage, 1 n from moved union all select stage, -1 from before_move) both_sides
      group by stage) t));
  return null;
end
$$;
create function private.reset_stage_counts() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.referral_stage_counts set referrals = 0;
  return null;
end
$$;
revoke all on function private.count_inserted_referrals(), private.count_deleted_referrals(),
  private.count_moved_referrals(), private.reset_stage_counts() from public, anon, authenticated;

create trigger referral_stage_counts_insert
  after insert on public.referrals referencing new table as inserted
  for each statement execute function private.count_inserted_referrals();
create trigger referral_stage_counts_delete
  after delete on public.referrals referencing old table as deleted
  for each statement execute function private.count_deleted_referrals();
create trigger referral_stage_counts_update
  after update on public.referrals referencing old table as before_move new table as moved
  for each statement execute function private.count_moved_referrals();
create trigger referral_stage_counts_truncate
  after truncate on public.referrals
  for each statement execute function private.reset_stage_counts();
