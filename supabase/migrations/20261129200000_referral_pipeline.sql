-- Following referrals: every stage change kept with who and when, the referrer told of each
-- move, bonus rules, and the payouts they lead to (due after a retention period, paid or
-- forfeited, and who marked each paid).
--
--   referral_stage_events   written by a trigger on referrals only; staff and the referrer read
--   referral_notifications  written by the same trigger; each person reads (and marks read)
--                           only their own
--   referral_bonus_rules    staff keep them: an amount and a retention period per department,
--                           '' for every department; a job's own referral_bonus comes first
--   referral_payouts        staff plan them when a hire's start date is recorded (split between
--                           referrers by percentage); the referrer reads their own. A payout is
--                           marked paid once, on or after its due date, stamped with who and
--                           when by the trigger; it is forfeited when the hire leaves first.

alter table public.referrals
  add column start_date date,
  add column left_on date,
  add constraint referrals_left_after_start check (left_on is null or start_date is null or left_on >= start_date);

create table public.referral_stage_events (
  id bigint generated always as identity primary key,
  referral_id uuid not null references public.referrals (id) on delete cascade,
  from_stage public.referral_stage,
  to_stage public.referral_stage not null,
  changed_by uuid references public.profiles (id) on delete set null,
  changed_at timestamptz not null default clock_timestamp()
);
create index referral_stage_events_referral_idx on public.referral_stage_events (referral_id, id);
alter table public.referral_stage_events enable row level security;

create table public.referral_notifications (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  referral_id uuid not null references public.referrals (id) on delete cascade,
  message text not null,
  created_at timestamptz not null default clock_timestamp(),
  read_at timestamptz
);
create index referral_notifications_user_idx on public.referral_notifications (user_id, id desc);
alter table public.referral_notifications enable row level security;

create table public.referral_bonus_rules (
  department text primary key check (department = btrim(department) and length(department) <= 100),
  amount numeric(10, 2) not null check (amount >= 0),
  retention_days integer not null default 90 check (retention_days between 0 and 730),
  updated_by uuid references public.profiles (id) on delete set null default auth.uid(),
  updated_at timestamptz not null default now()
);
alter table public.referral_bonus_rules enable row level security;

create table public.referral_payouts (
  id uuid primary key default gen_random_uuid(),
  referral_id uuid not null references public.referrals (id) on delete cascade,
  referrer_id uuid not null references public.profiles (id) on delete cascade,
  share_percent numeric(5, 2) not null check (share_percent > 0 and share_percent <= 100),
  amount numeric(10, 2) not null check (amount >= 0),
  start_date date not null,
  due_on date not null check (due_on >= start_date),
  paid_at timestamptz,
  paid_by uuid references public.profiles (id) on delete set null,
  forfeited_at timestamptz,
  created_at timestamptz not null default now(),
  unique (referral_id, referrer_id),
  check ((paid_at is null) = (paid_by is null)),
  check (paid_at is null or forfeited_at is null)
);
create index referral_payouts_due_idx on public.referral_payouts (due_on);
create index referral_payouts_referrer_idx on public.referral_payouts (referrer_id);
alter table public.referral_payouts enable row level security;

-- History and notification of every stage a referral is given, by whoever gives it.
create function private.record_referral_stage() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  who text;
  job text;
begin
  if tg_op = 'UPDATE' and new.stage is not distinct from old.stage then
    return null;
  end if;
  if tg_op = 'INSERT' then
    -- A referral recorded at a later stage (an import, the demo) keeps its submission too.
    insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_by, changed_at)
    values (new.id, null, 'submitted', (select auth.uid()), new.created_at);
    if new.stage <> 'submitted' then
      insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_by, changed_at)
      values (new.id, 'submitted', new.stage, (select auth.uid()), new.stage_changed_at);
    end if;
    return null;
  end if;
  insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_by)
  values (new.id, old.stage, new.stage, (select auth.uid()));
  select c.full_name into who from public.candidates c where c.id = new.candidate_id;
  select j.title into job from public.jobs j where j.id = new.job_id;
  insert into public.referral_notifications (user_id, referral_id, message)
  values (new.referrer_id, new.id,
          format('%s (%s) moved from %s to %s.', coalesce(who, 'Your referral'),
                 coalesce(job, 'open to anything'),
                 initcap(replace(old.stage::text, '_', ' ')),
                 initcap(replace(new.stage::text, '_', ' '))));
  return null;
end
$$;
revoke all on function private.record_referral_stage() from public;

create trigger referral_stage_history
  after insert or update of stage on public.referrals
  for each row execute function private.record_referral_stage();

-- The stage's date is the database's, and a hire who leaves forfeits what is not yet due.
create function private.guard_referral_update() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.stage is distinct from old.stage then
    new.stage_changed_at := now();
  end if;
  if new.left_on is not null and new.left_on is distinct from old.left_on then
    update public.referral_payouts p set forfeited_at = now()
     where p.referral_id = new.id and p.paid_at is null and p.forfeited_at is null
       and p.due_on > new.left_on;
  end if;
  return new;
end
$$;
revoke all on function private.guard_referral_update() from public;

create trigger referral_update_guard
  before update on public.referrals
  for each row execute function private.guard_referral_update();

-- Payouts: paid once, when due, stamped with who and when; shares of a referral add up to
-- at most 100%.
create function private.guard_referral_payout() returns trigger
language plpgsql set search_path = ''
as $$
declare
  shared numeric;
begin
  if tg_op = 'UPDATE' then
    if old.paid_at is not null then
      raise exception 'this bonus was already paid on %', to_char(old.paid_at, 'YYYY-MM-DD')
        using errcode = '23514';
    end if;
    if new.paid_at is not null then
      if old.forfeited_at is not null or new.forfeited_at is not null then
        raise exception 'this bonus was forfeited: the hire left before the retention period ended'
          using errcode = '23514';
      end if;
      if current_date < old.due_on then
        raise exception 'this bonus is not due until %', to_char(old.due_on, 'YYYY-MM-DD')
          using errcode = '23514';
      end if;
      new.paid_at := now();
      new.paid_by := (select auth.uid());
    end if;
    if new.forfeited_at is null and old.forfeited_at is not null then
      raise exception 'a forfeited bonus stays forfeited' using errcode = '23514';
    end if;
  end if;
  select coalesce(sum(p.share_percent), 0) into shared from public.referral_payouts p
   where p.referral_id = new.referral_id and p.id <> new.id;
  if shared + new.share_percent > 100 then
    raise exception 'the shares of one referral add up to more than 100%%' using errcode = '23514';
  end if;
  return new;
end
$$;

create trigger referral_payout_guard
  before insert or update on public.referral_payouts
  for each row execute function private.guard_referral_payout();

-- Referrals from before this migration: their submission, and the stage they are at now.
insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_at)
select r.id, null, 'submitted', r.created_at from public.referrals r;
insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_at)
select r.id, 'submitted', r.stage, r.stage_changed_at from public.referrals r where r.stage <> 'submitted';

-- Row-level security.
create policy "stage events: staff, and the referrer's own" on public.referral_stage_events
  for select to authenticated
  using (
    (select private.is_staff())
    or ((select private.is_active()) and exists (
      select 1 from public.referrals r
      where r.id = referral_stage_events.referral_id and r.referrer_id = (select auth.uid())))
  );

create policy "notifications: one's own" on public.referral_notifications
  for select to authenticated
  using (user_id = (select auth.uid()) and (select private.is_active()));
create policy "notifications: one marks one's own read" on public.referral_notifications
  for update to authenticated
  using (user_id = (select auth.uid()) and (select private.is_active()))
  with check (user_id = (select auth.uid()));

create policy "bonus rules: staff read" on public.referral_bonus_rules
  for select to authenticated using ((select private.is_staff()));
create policy "bonus rules: staff insert" on public.referral_bonus_rules
  for insert to authenticated with check ((select private.is_staff()));
create policy "bonus rules: staff update" on public.referral_bonus_rules
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "bonus rules: staff delete" on public.referral_bonus_rules
  for delete to authenticated using ((select private.is_staff()));

create policy "payouts: staff, and the referrer's own" on public.referral_payouts
  for select to authenticated
  using (
    (select private.is_staff())
    or (referrer_id = (select auth.uid()) and (select private.is_active()))
  );
create policy "payouts: staff insert" on public.referral_payouts
  for insert to authenticated with check ((select private.is_staff()));
create policy "payouts: staff update" on public.referral_payouts
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
-- A payout planned from a wrong start date is planned again; a paid one is kept.
create policy "payouts: staff delete unpaid" on public.referral_payouts
  for delete to authenticated using ((select private.is_staff()) and paid_at is null);

revoke all on public.referral_stage_events, public.referral_notifications,
  public.referral_bonus_rules, public.referral_payouts from anon, authenticated;
grant select on public.referral_stage_events to authenticated;
grant select on public.referral_notifications to authenticated;
grant update (read_at) on public.referral_notifications to authenticated;
grant select, insert, update, delete on public.referral_bonus_rules to authenticated;
grant select, insert, update, delete on public.referral_payouts to authenticated;
grant all on public.referral_stage_events, public.referral_notifications,
  public.referral_bonus_rules, public.referral_payouts to service_role;
