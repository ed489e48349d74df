-- Referral recognition, alumni outreach and the programme's figures.
--
--   referrer_preferences  a referrer's own choices: leaving the leaderboard
--   boomerang_interest    alumni who say they would come back (areas, notes)
--   job_digests           job digests recruiters sent to alumni, shown in the portal
--
-- Points and badges are computed from the referrals and their current stage, never
-- stored, so they cannot drift from what recruiters set. Others' scores are read only
-- through private.leaderboard(), which leaves out whoever opted out.

create table public.referrer_preferences (
  user_id uuid primary key references public.profiles (id) on delete cascade
    default auth.uid(),
  leaderboard_opt_out boolean not null default false,
  updated_at timestamptz not null default now()
);
alter table public.referrer_preferences enable row level security;

create policy "referrer preferences: own, and staff read" on public.referrer_preferences
  for select to authenticated
  using ((user_id = (select auth.uid()) and (select private.is_active())) or (select private.is_staff()));
create policy "referrer preferences: referrers insert their own" on public.referrer_preferences
  for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.my_role()) in ('alumnus', 'employee'));
create policy "referrer preferences: own update" on public.referrer_preferences
  for update to authenticated
  using (user_id = (select auth.uid()) and (select private.is_active()))
  with check (user_id = (select auth.uid()));

create table public.boomerang_interest (
  user_id uuid primary key references public.profiles (id) on delete cascade
    default auth.uid(),
  areas text not null default '' check (length(areas) <= 300),
  notes text not null default '' check (length(notes) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.boomerang_interest enable row level security;

create policy "boomerang interest: own, and staff read" on public.boomerang_interest
  for select to authenticated
  using ((user_id = (select auth.uid()) and (select private.is_active())) or (select private.is_staff()));
create policy "boomerang interest: alumni say so themselves" on public.boomerang_interest
  for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.my_role()) = 'alumnus');
create policy "boomerang interest: own update" on public.boomerang_interest
  for update to authenticated
  using (user_id = (select auth.uid()) and (select private.is_active()))
  with check (user_id = (select auth.uid()));
create policy "boomerang interest: own withdraw" on public.boomerang_interest
  for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.is_active()));

create table public.job_digests (
  id uuid primary key default gen_random_uuid(),
  departments text[] not null default '{}',
  note text not null default '' check (length(note) <= 2000),
  -- the jobs as they were when sent: [{id, title, department, location}]
  jobs jsonb not null check (jsonb_typeof(jobs) = 'array' and jsonb_array_length(jobs) > 0),
  recipients integer not null default 0 check (recipients >= 0),
  emailed integer not null default 0 check (emailed >= 0),
  sent_by uuid references public.profiles (id) on delete set null default auth.uid(),
  sent_at timestamptz not null default now()
);
create index job_digests_sent_idx on public.job_digests (sent_at desc);
alter table public.job_digests enable row level security;

create policy "job digests: alumni, employees and staff read" on public.job_digests
  for select to authenticated
  using ((select private.my_role()) in ('alumnus', 'employee', 'recruiter', 'admin'));
create policy "job digests: staff send as themselves" on public.job_digests
  for insert to authenticated
  with check ((select private.is_staff()) and sent_by = (select auth.uid()) and sent_at >= now());
create policy "job digests: staff record the emails sent" on public.job_digests
  for update to authenticated
  using ((select private.is_staff()) and sent_by = (select auth.uid()))
  with check ((select private.is_staff()) and sent_by = (select auth.uid()));

revoke all on public.referrer_preferences, public.boomerang_interest, public.job_digests
  from anon, authenticated;
grant select, insert on public.referrer_preferences to authenticated;
grant update (leaderboard_opt_out, updated_at) on public.referrer_preferences to authenticated;
grant select, insert, delete on public.boomerang_interest to authenticated;
grant update (areas, notes, updated_at) on public.boomerang_interest to authenticated;
grant select on public.job_digests to authenticated;
grant insert (departments, note, jobs, recipients) on public.job_digests to authenticated;
grant update (emailed) on public.job_digests to authenticated;
grant all on public.referrer_preferences, public.boomerang_interest, public.job_digests to service_role;

-- ---------------------------------------------------------------------------
-- Points and badges, from the referrals' current stage.
--   a referral 10 points; reaching interview (interviewing, offer or hired) 30 more;
--   a hire 100 more. Badges: first referral, five referrals, first interview, first
--   hire, three hires.
-- Another change keeps each referral's stage history; until then a referral that was
-- interviewed and then not selected counts as a referral only.
-- ---------------------------------------------------------------------------
create function private.referrer_scores()
returns table (referrer_id uuid, referrals bigint, interviews bigint, hires bigint, points bigint,
               badges text[])
language sql stable security definer set search_path = ''
as $$
  with counts as (
    select r.referrer_id,
           count(*) as referrals,
           count(*) filter (where r.stage in ('interviewing', 'offer', 'hired')) as interviews,
           count(*) filter (where r.stage = 'hired') as hires
    from public.referrals r
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
revoke all on function private.referrer_scores() from public, anon, authenticated;

-- The caller's own points and badges (zero when they referred nobody yet).
create function private.my_recognition()
returns table (referrals bigint, interviews bigint, hires bigint, points bigint, badges text[])
language sql stable security definer set search_path = ''
as $$
  select coalesce(s.referrals, 0), coalesce(s.interviews, 0), coalesce(s.hires, 0),
         coalesce(s.points, 0), coalesce(s.badges, '{}')
  from (select 1) one
  left join private.referrer_scores() s on s.referrer_id = (select auth.uid())
  where (select private.is_active())
$$;

-- The leaderboard for alumni, employees and staff: active referrers who did not opt out,
-- most points first. Nobody who opted out is ever in it, not even for staff.
create function private.leaderboard(p_limit integer default 20)
returns table (place bigint, full_name text, referrals bigint, interviews bigint, hires bigint,
               points bigint, badges text[], is_me boolean)
language sql stable security definer set search_path = ''
as $$
  select rank() over (order by s.points desc), coalesce(nullif(p.full_name, ''), 'A referrer'),
         s.referrals, s.interviews, s.hires, s.points, s.badges, p.id = (select auth.uid())
  from private.referrer_scores() s
  join public.profiles p on p.id = s.referrer_id and p.active
  left join public.referrer_preferences rp on rp.user_id = p.id
  where not coalesce(rp.leaderboard_opt_out, false)
    and (select private.my_role()) in ('alumnus', 'employee', 'recruiter', 'admin')
  order by s.points desc, s.hires desc, p.full_name, p.id
  limit least(greatest(p_limit, 1), 100)
$$;

revoke all on function private.my_recognition(), private.leaderboard(integer) from public, anon;
grant execute on function private.my_recognition(), private.leaderboard(integer) to authenticated;
