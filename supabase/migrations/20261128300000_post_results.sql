-- Post results: what each social post brought (visits, applications, hires, all already
-- credited to it by the tracked link) against what was spent on it.
--
--   recruiters and admins   read and record spend on a post
--   admins                  also delete a recorded spend (a mistake); nobody edits one
--   everyone else           nothing

-- ---------------------------------------------------------------------------
-- Spend on a post (a boost, a paid promotion, an agency's work on it), in any currency;
-- reports convert it with public.exchange_rates as the savings report does.
-- ---------------------------------------------------------------------------
create table public.social_post_costs (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references public.social_posts (id) on delete cascade,
  amount numeric(12, 2) not null check (amount > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  spent_on date not null default current_date,
  note text not null default '' check (length(note) <= 500),
  recorded_by uuid references public.profiles (id) on delete set null default auth.uid(),
  recorded_at timestamptz not null default now()
);
create index social_post_costs_post_idx on public.social_post_costs (post_id, spent_on);
alter table public.social_post_costs enable row level security;

create policy "post costs: staff read" on public.social_post_costs
  for select to authenticated using ((select private.is_staff()));
create policy "post costs: staff record their own" on public.social_post_costs
  for insert to authenticated
  with check ((select private.is_staff()) and recorded_by = (select auth.uid()));
create policy "post costs: admins delete" on public.social_post_costs
  for delete to authenticated using ((select private.is_admin()));

revoke all on public.social_post_costs from anon, authenticated;
grant select, insert, delete on public.social_post_costs to authenticated;
grant all on public.social_post_costs to service_role;

-- No new index on job_visits or applications: the figures sum a period's credited rows per
-- (post, posting) and Postgres reads them best by a sequential scan (10 ms for 30,000 of
-- 100,000 visits); one posting's figures use the (job_id, …) keys. See
-- benchmarks/post_performance.py.
