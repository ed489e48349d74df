-- Job levels, and referral bonus rules per level.
--
--   jobs.level                        one of intern, junior, mid, senior, lead, executive;
--                                     null for postings written before levels existed
--   referral_level_bonus_rules        staff keep them, as referral_bonus_rules: an amount and a
--                                     retention period per job level
--
-- A referral's bonus is the job's own referral_bonus, else its level's rule, else its
-- department's rule, else the rule for every department (department ''). Its retention period
-- is the first of the level's, the department's and the default rule's (90 days without any).
-- The department rules stay where they were; nothing of them changes.

alter table public.jobs
  add column level text check (level in ('intern', 'junior', 'mid', 'senior', 'lead', 'executive'));

create table public.referral_level_bonus_rules (
  level text primary key check (level in ('intern', 'junior', 'mid', 'senior', 'lead', 'executive')),
  amount numeric(10, 2) not null check (amount >= 0),
  retention_days integer not null default 90 check (retention_days between 0 and 730),
  updated_by uuid references public.profiles (id) on delete set null default auth.uid(),
  updated_at timestamptz not null default now()
);
alter table public.referral_level_bonus_rules enable row level security;

create policy "level bonus rules: staff read" on public.referral_level_bonus_rules
  for select to authenticated using ((select private.is_staff()));
create policy "level bonus rules: staff insert" on public.referral_level_bonus_rules
  for insert to authenticated with check ((select private.is_staff()));
create policy "level bonus rules: staff update" on public.referral_level_bonus_rules
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "level bonus rules: staff delete" on public.referral_level_bonus_rules
  for delete to authenticated using ((select private.is_staff()));

revoke all on public.referral_level_bonus_rules from anon, authenticated;
grant select, insert, update, delete on public.referral_level_bonus_rules to authenticated;
grant all on public.referral_level_bonus_rules to service_role;
