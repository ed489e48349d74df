-- Savings against headhunter fees and job boards: the assumptions an admin keeps,
-- exchange rates, the programme's running costs by month, hires imported from files,
-- and hires recorded by the portal itself when an application or a referral is hired.
--
--   recruiters and admins   read all of it; enter running costs; import and edit hires
--   admins                  also set the assumptions and the exchange rates
--   everyone else           nothing

-- ---------------------------------------------------------------------------
-- Assumptions: one row, like the company profile. Defaults from PRODUCT.md:
-- a headhunter charges 20 % of first-year salary; a hire costs about $4,700 (SHRM).
-- ---------------------------------------------------------------------------
create table public.savings_settings (
  id smallint primary key default 1 check (id = 1),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  headhunter_fee_rate numeric(5, 4) not null default 0.20
    check (headhunter_fee_rate between 0 and 1),
  job_board_cost_per_hire numeric(12, 2) not null default 4700
    check (job_board_cost_per_hire >= 0),
  updated_at timestamptz not null default now()
);
insert into public.savings_settings (id) values (1);
alter table public.savings_settings enable row level security;

create policy "savings settings: staff read" on public.savings_settings
  for select to authenticated using ((select private.is_staff()));
create policy "savings settings: admins write" on public.savings_settings
  for all to authenticated
  using ((select private.is_admin())) with check ((select private.is_admin()));

-- How much one unit of `currency` is worth in the reporting currency.
create table public.exchange_rates (
  currency char(3) primary key check (currency ~ '^[A-Z]{3}$'),
  rate numeric(18, 8) not null check (rate > 0),
  updated_at timestamptz not null default now()
);
alter table public.exchange_rates enable row level security;

create policy "exchange rates: staff read" on public.exchange_rates
  for select to authenticated using ((select private.is_staff()));
create policy "exchange rates: admins write" on public.exchange_rates
  for all to authenticated
  using ((select private.is_admin())) with check ((select private.is_admin()));

-- ---------------------------------------------------------------------------
-- What running the programme costs, month by month (content work, tools, promotion).
-- ---------------------------------------------------------------------------
create table public.programme_costs (
  month date not null check (month = date_trunc('month', month)::date),
  category text not null check (category in ('content', 'tools', 'promotion', 'other')),
  amount numeric(12, 2) not null check (amount >= 0),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  note text not null default '' check (length(note) <= 500),
  updated_at timestamptz not null default now(),
  primary key (month, category)
);
alter table public.programme_costs enable row level security;

create policy "programme costs: staff read" on public.programme_costs
  for select to authenticated using ((select private.is_staff()));
create policy "programme costs: staff insert" on public.programme_costs
  for insert to authenticated with check ((select private.is_staff()));
create policy "programme costs: staff update" on public.programme_costs
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "programme costs: staff delete" on public.programme_costs
  for delete to authenticated using ((select private.is_staff()));

-- ---------------------------------------------------------------------------
-- Hires: where each one came from.
--   import_key     set by a file import; the same row imported twice is one hire
--   candidate_id   set by the portal; an application and a referral of the same person
--                  for the same job are one hire
-- ---------------------------------------------------------------------------
alter table public.hires
  add column import_key text unique,
  add column candidate_id uuid references public.candidates (id) on delete set null,
  add constraint hires_currency_check check (currency ~ '^[A-Z]{3}$'),
  add constraint hires_application_key unique (application_id),
  add constraint hires_referral_key unique (referral_id);
create unique index hires_candidate_job_key on public.hires (candidate_id, job_id);

-- An application's free-text source (a tracked link's utm_source, "referral", …) as a
-- hire source and channel.
create function private.hire_source_of(source text, out kind public.hire_source, out channel text)
language sql immutable set search_path = ''
as $$
  select
    case
      when s in ('referral', 'social', 'job_board', 'career_site', 'agency', 'direct', 'internal')
        then s::public.hire_source
      when s in ('linkedin', 'x', 'twitter', 'facebook', 'instagram', 'xing', 'slack', 'teams',
                 'newsletter', 'alumni_digest')
        then 'social'
      when s in ('indeed', 'stepstone', 'monster', 'careerbuilder', 'glassdoor', 'ziprecruiter')
        then 'job_board'
      else 'direct'
    end,
    case
      when s in ('referral', 'social', 'job_board', 'career_site', 'agency', 'direct', 'internal', '')
        then null
      else s
    end
  from (select lower(trim(coalesce(source, ''))) as s) as normalised
$$;

-- Hiring and un-hiring one person for one job take turns: whoever comes second waits
-- here until the first commits, then sees what it did.
create function private.lock_hire_of(p_candidate uuid, p_job uuid) returns void
language sql security definer set search_path = ''
as $$
  select pg_advisory_xact_lock(
    hashtextextended('boomerang hire ' || p_candidate::text || '/' || coalesce(p_job::text, ''), 0))
$$;

-- Called when an application or a referral becomes "hired": records the hire once, with
-- the job's title, department and salary (the middle of its range), and the referral's
-- reward as its cost. Recruiters complete the costs on the Hires page.
create function private.record_portal_hire(
  p_candidate uuid, p_job uuid, p_application uuid, p_referral uuid
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  existing uuid;
  job public.jobs%rowtype;
  referral public.referrals%rowtype;
  application public.applications%rowtype;
  source_kind public.hire_source;
  source_channel text;
  credited boolean;
begin
  -- One hire per person and job even when their application and their referral are
  -- marked hired at the same moment.
  perform private.lock_hire_of(p_candidate, p_job);
  select h.id into existing from public.hires h
  where (p_application is not null and h.application_id = p_application)
     or (p_referral is not null and h.referral_id = p_referral)
     or (h.candidate_id = p_candidate and h.job_id is not distinct from p_job)
  limit 1;
  if existing is not null then
    update public.hires set
      application_id = coalesce(application_id, p_application),
      referral_id = coalesce(referral_id, p_referral)
    where id = existing;
    return;
  end if;

  select * into job from public.jobs where id = p_job;
  -- The person's application to this job, hired or not, and the referral in question
  -- (or, for an application, the person's first referral to this job).
  select a.* into application from public.applications a
  where a.candidate_id = p_candidate and a.job_id = p_job;
  if p_referral is not null then
    select * into referral from public.referrals where id = p_referral;
  elsif p_job is not null then
    select r.* into referral from public.referrals r
    where r.candidate_id = p_candidate and r.job_id = p_job
    order by r.created_at limit 1;
  end if;
  -- A referral earns the hire only if it came before the application (PRODUCT.md: a
  -- candidate who applied directly before being referred is not the referrer's), whichever
  -- of the two is marked hired first.
  credited := referral.id is not null
    and (application.id is null or referral.created_at <= application.created_at);

  if credited then
    source_kind := 'referral';
  elsif application.id is not null then
    select s.kind, s.channel into source_kind, source_channel
    from private.hire_source_of(application.source) s;
  end if;

  insert into public.hires (hire_date, job_id, job_title, department, source, channel,
    first_year_salary, currency, referral_bonus, application_id, referral_id, candidate_id)
  values (
    current_date, p_job, coalesce(job.title, 'Open application'),
    coalesce(job.department, 'Unassigned'), coalesce(source_kind, 'direct'), source_channel,
    coalesce((job.salary_min + job.salary_max) / 2, job.salary_max, job.salary_min, 0),
    upper(coalesce(job.currency, 'USD')),
    case when credited then coalesce(referral.reward_amount, job.referral_bonus, 0) else 0 end,
    p_application, case when credited or p_referral is not null then referral.id end, p_candidate);
end
$$;

-- Undoing "hired" (a slip of the mouse) takes the hire away again, unless the other
-- side of it (the referral or the application) is still hired.
create function private.forget_portal_hire(
  p_candidate uuid, p_job uuid, p_application uuid, p_referral uuid
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.lock_hire_of(p_candidate, p_job);
  delete from public.hires h
  where h.import_key is null
    and ((p_application is not null and h.application_id = p_application)
      or (p_referral is not null and h.referral_id = p_referral))
    and not exists (select 1 from public.applications a
                    where a.id = h.application_id and a.status = 'hired'
                      and a.id is distinct from p_application)
    and not exists (select 1 from public.referrals r
                    where r.id = h.referral_id and r.stage = 'hired'
                      and r.id is distinct from p_referral);
end
$$;

create function private.application_hire_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.status = 'hired' and (tg_op = 'INSERT' or old.status <> 'hired') then
    perform private.record_portal_hire(new.candidate_id, new.job_id, new.id, null);
  elsif tg_op = 'UPDATE' and old.status = 'hired' and new.status <> 'hired' then
    perform private.forget_portal_hire(new.candidate_id, new.job_id, new.id, null);
  end if;
  return null;
end
$$;

create function private.referral_hire_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.stage = 'hired' and (tg_op = 'INSERT' or old.stage <> 'hired') then
    perform private.record_portal_hire(new.candidate_id, new.job_id,
      (select a.id from public.applications a
       where a.candidate_id = new.candidate_id and a.job_id = new.job_id and a.status = 'hired'),
      new.id);
  elsif tg_op = 'UPDATE' and old.stage = 'hired' and new.stage <> 'hired' then
    perform private.forget_portal_hire(new.candidate_id, new.job_id, null, new.id);
  end if;
  return null;
end
$$;

create trigger applications_record_hire
  after insert or update of status on public.applications
  for each row execute function private.application_hire_changed();
create trigger referrals_record_hire
  after insert or update of stage on public.referrals
  for each row execute function private.referral_hire_changed();

-- ---------------------------------------------------------------------------
-- Hire totals per (month, source, channel, department, currency), kept by the database
-- as hires are added, changed and removed, so that the savings report reads a few
-- thousand sums instead of adding up every hire each time (benchmarks/savings.py).
-- Nobody writes it but these triggers; a test compares it with the hires themselves.
-- ---------------------------------------------------------------------------
create table public.hire_totals (
  month date not null,
  source public.hire_source not null,
  channel text not null,
  department text not null,
  currency char(3) not null,
  hires bigint not null,
  salary numeric not null,
  referral_bonus numeric not null,
  ad_spend numeric not null,
  job_board_fee numeric not null,
  agency_fee numeric not null,
  other_cost numeric not null,
  primary key (month, source, channel, department, currency)
);
alter table public.hire_totals enable row level security;

create policy "hire totals: staff read" on public.hire_totals
  for select to authenticated using ((select private.is_staff()));

create function private.hire_totals_apply() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  -- The rows the statement added count up, the rows it removed count down; an update
  -- does both. One upsert in key order per statement, so that two writers always lock
  -- the totals they share in the same order and never wait on each other in a circle.
  changes text := case tg_op
    when 'INSERT' then 'select 1 as sign, * from new_rows'
    when 'DELETE' then 'select -1 as sign, * from old_rows'
    else 'select 1 as sign, * from new_rows union all select -1, * from old_rows' end;
begin
  execute format($sql$
    insert into public.hire_totals as t
    select date_trunc('month', hire_date::timestamp)::date, source, coalesce(channel, ''),
           department, currency, sum(sign), sum(sign * first_year_salary),
           sum(sign * referral_bonus), sum(sign * ad_spend), sum(sign * job_board_fee),
           sum(sign * agency_fee), sum(sign * other_cost)
    from (%s) as changed
    group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (month, source, channel, department, currency) do update set
      hires = t.hires + excluded.hires, salary = t.salary + excluded.salary,
      referral_bonus = t.referral_bonus + excluded.referral_bonus,
      ad_spend = t.ad_spend + excluded.ad_spend,
      job_board_fee = t.job_board_fee + excluded.job_board_fee,
      agency_fee = t.agency_fee + excluded.agency_fee,
      other_cost = t.other_cost + excluded.other_cost
    $sql$, changes);
  if tg_op <> 'INSERT' then
    delete from public.hire_totals where hires = 0;
  end if;
  return null;
end
$$;

create function private.hire_totals_clear() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from public.hire_totals;
  return null;
end
$$;

create trigger hires_totals_insert after insert on public.hires
  referencing new table as new_rows
  for each statement execute function private.hire_totals_apply();
create trigger hires_totals_update after update on public.hires
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.hire_totals_apply();
create trigger hires_totals_delete after delete on public.hires
  referencing old table as old_rows
  for each statement execute function private.hire_totals_apply();
create trigger hires_totals_truncate after truncate on public.hires
  for each statement execute function private.hire_totals_clear();

-- The hires recorded before this migration.
insert into public.hire_totals
select date_trunc('month', hire_date::timestamp)::date, source, coalesce(channel, ''), department,
       currency, count(*), sum(first_year_salary), sum(referral_bonus), sum(ad_spend),
       sum(job_board_fee), sum(agency_fee), sum(other_cost)
from public.hires group by 1, 2, 3, 4, 5;

-- ---------------------------------------------------------------------------
-- Table privileges (see the foundation migration): no anon access to any of this.
-- ---------------------------------------------------------------------------
revoke all on public.savings_settings, public.exchange_rates, public.programme_costs,
  public.hire_totals from anon, authenticated;
grant select, insert, update, delete on public.savings_settings, public.exchange_rates,
  public.programme_costs to authenticated;
grant select on public.hire_totals to authenticated;
grant all on public.savings_settings, public.exchange_rates, public.programme_costs,
  public.hire_totals to service_role;
revoke all on function private.hire_source_of(text), private.record_portal_hire(uuid, uuid, uuid, uuid),
  private.forget_portal_hire(uuid, uuid, uuid, uuid), private.lock_hire_of(uuid, uuid),
  private.hire_totals_apply(), private.hire_totals_clear()
  from public;
