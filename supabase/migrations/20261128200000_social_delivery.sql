-- Automatic publishing: what the worker (`portal worker`, as the owner) knows about each
-- scheduled post it sends by itself, by a channel's webhook or a network's API.
--
-- A table of its own rather than columns on social_posts: staff may update social_posts
-- (the workflow trigger decides how), and row-level security cannot keep them off some
-- columns; here staff only read, and only the owner writes. Delivery bookkeeping also
-- stays out of the workflow's trigger and history.
--
-- Never twice. A worker first claims a due post in a transaction of its own
-- (`update … where claimed_at is null … returning`: of two workers one wins), then, in a
-- second transaction, locks the post, checks it is still scheduled, sends, and marks it
-- published in that same transaction. If the worker dies between the network's answer
-- and that commit, the claim stays behind: after a timeout it becomes a visible failure
-- ("may have been published: check the channel"), never a second attempt. For posts,
-- at most once is better than twice.

create table public.social_post_deliveries (
  post_id uuid primary key references public.social_posts (id) on delete cascade,
  -- The schedule this state belongs to: a post scheduled again starts afresh.
  scheduled_for timestamptz not null,
  attempts smallint not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null,
  -- Set while a worker is sending; `claim` tells that worker's claim from a later one.
  claimed_at timestamptz,
  claim uuid,
  -- The last failure: the HTTP status (null when there was no answer) and a short
  -- message written by the portal, never the network's answer, a URL or a token.
  last_status smallint,
  last_error text check (length(last_error) <= 300),
  given_up_at timestamptz,
  delivered_at timestamptz,
  updated_at timestamptz not null default now(),
  check ((claimed_at is null) = (claim is null))
);
alter table public.social_post_deliveries enable row level security;

-- The worker's sweep: scheduled posts that are due.
create index social_posts_due_idx on public.social_posts (scheduled_for) where status = 'scheduled';

create policy "post deliveries: staff read" on public.social_post_deliveries
  for select to authenticated using ((select private.is_staff()));

revoke all on public.social_post_deliveries from anon, authenticated;
grant select on public.social_post_deliveries to authenticated;
grant all on public.social_post_deliveries to service_role;

-- Delivery state for the calendar, with whether the post's channel has a webhook: staff
-- may know that much, while the URL itself (a secret) stays admin-only.
create function private.post_delivery_states(post_ids uuid[])
returns table (post_id uuid, network text, has_webhook boolean, status text,
               scheduled_for timestamptz, attempts smallint, next_attempt_at timestamptz,
               claimed_at timestamptz, last_status smallint, last_error text,
               given_up_at timestamptz, delivered_at timestamptz)
language sql stable security definer set search_path = ''
as $$
  select p.id, c.network::text,
         exists (select 1 from public.channel_webhooks w where w.channel_id = p.channel_id),
         p.status::text, p.scheduled_for, d.attempts, d.next_attempt_at, d.claimed_at,
         d.last_status, d.last_error, d.given_up_at, d.delivered_at
  from public.social_posts p
  join public.social_channels c on c.id = p.channel_id
  left join public.social_post_deliveries d on d.post_id = p.id and d.scheduled_for = p.scheduled_for
  where p.id = any (post_ids) and (select private.is_staff())
$$;

revoke all on function private.post_delivery_states(uuid[]) from public;
grant execute on function private.post_delivery_states(uuid[]) to authenticated;
