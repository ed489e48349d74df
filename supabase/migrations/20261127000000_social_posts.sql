-- Social posts: the channels a posting is shared to, the topics an approver keeps, who
-- may write, edit and approve (the HR social-media strategy's roles), and each post's
-- workflow: draft → submitted → approved → scheduled → published, or rejected with a
-- comment. The rules live here, in triggers, so no page or API call can skip a step or
-- approve its own post; every transition is kept with who and when.

create type public.social_network as enum
  ('linkedin', 'x', 'facebook', 'slack', 'teams', 'news_feed', 'alumni_digest');
create type public.social_post_status as enum
  ('draft', 'submitted', 'approved', 'scheduled', 'published', 'rejected');
create type public.social_role as enum ('publisher', 'editor', 'approver');

-- ---------------------------------------------------------------------------
-- Channels, configured by admins; staff read them.
-- ---------------------------------------------------------------------------
create table public.social_channels (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 2 and 60),
  network public.social_network not null,
  audience text not null check (audience in ('internal', 'external')),
  active boolean not null default true,
  created_at timestamptz not null default now()
);
alter table public.social_channels enable row level security;

-- The slots a channel is updated in: ISO weekday (1 = Monday) and time of day (UTC).
create table public.channel_slots (
  channel_id uuid not null references public.social_channels (id) on delete cascade,
  weekday smallint not null check (weekday between 1 and 7),
  at_time time not null,
  primary key (channel_id, weekday, at_time)
);
alter table public.channel_slots enable row level security;

-- Incoming-webhook URLs (Slack, Teams) are secrets: admins set them, the worker (owner)
-- reads them; recruiters never see them.
create table public.channel_webhooks (
  channel_id uuid primary key references public.social_channels (id) on delete cascade,
  url text not null check (length(url) between 10 and 2000),
  updated_at timestamptz not null default now()
);
alter table public.channel_webhooks enable row level security;

-- ---------------------------------------------------------------------------
-- Who may write (publisher), edit others' posts (editor) and approve topics and posts
-- (approver). Admins may do all three.
-- ---------------------------------------------------------------------------
create table public.social_roles (
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.social_role not null,
  granted_by uuid references public.profiles (id) on delete set null default auth.uid(),
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);
alter table public.social_roles enable row level security;

create function private.has_social_role(wanted public.social_role) returns boolean
language sql stable security definer set search_path = ''
as $$
  select (select private.is_admin())
      or ((select private.is_staff())
          and exists (select 1 from public.social_roles r
                      where r.user_id = (select auth.uid()) and r.role = wanted))
$$;

-- ---------------------------------------------------------------------------
-- Approved topics: a post belongs to one.
-- ---------------------------------------------------------------------------
create table public.social_topics (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 2 and 80),
  approved_by uuid references public.profiles (id) on delete set null default auth.uid(),
  approved_at timestamptz not null default now(),
  retired_at timestamptz
);
alter table public.social_topics enable row level security;

-- ---------------------------------------------------------------------------
-- Posts and their history.
-- ---------------------------------------------------------------------------
create table public.social_posts (
  id uuid primary key default gen_random_uuid(),
  job_id uuid not null references public.jobs (id) on delete cascade,
  channel_id uuid not null references public.social_channels (id) on delete restrict,
  topic_id uuid references public.social_topics (id) on delete restrict,
  body text not null check (length(body) between 1 and 63206),
  status public.social_post_status not null default 'draft',
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  approved_by uuid references public.profiles (id) on delete set null,
  review_comment text check (length(review_comment) <= 2000),
  scheduled_for timestamptz,
  published_at timestamptz,
  published_url text check (length(published_url) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (status <> 'scheduled' or scheduled_for is not null),
  check (status <> 'published' or published_at is not null)
);
create index social_posts_job_idx on public.social_posts (job_id);
create index social_posts_calendar_idx on public.social_posts (channel_id, coalesce(published_at, scheduled_for));
alter table public.social_posts enable row level security;

create table public.social_post_events (
  id bigint generated always as identity primary key,
  post_id uuid not null references public.social_posts (id) on delete cascade,
  from_status public.social_post_status,
  to_status public.social_post_status not null,
  actor_id uuid references public.profiles (id) on delete set null,
  comment text,
  at timestamptz not null default now()
);
create index social_post_events_post_idx on public.social_post_events (post_id, at);
alter table public.social_post_events enable row level security;

-- The workflow. Runs with the caller's rights on purpose: a user's update is checked
-- against their social roles, while the portal's own cascades (a security-definer
-- function, or the worker on the owner connection) run as the owner and follow the
-- transitions without role checks.
create function private.guard_social_post() returns trigger
language plpgsql set search_path = ''
as $$
declare
  as_user boolean := current_user in ('authenticated', 'anon');
  me uuid := auth.uid();
  allowed constant jsonb := '{
    "draft": ["submitted"],
    "submitted": ["approved", "rejected", "draft"],
    "rejected": ["draft"],
    "approved": ["scheduled", "published", "draft"],
    "scheduled": ["published", "approved"],
    "published": []}';
begin
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      raise exception 'a post starts as a draft' using errcode = 'check_violation';
    end if;
    if as_user and not private.has_social_role('publisher') then
      raise exception 'only publishers write posts' using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;

  new.updated_at := now();
  if new.status = old.status then
    -- Content changes only before approval, by its author or an editor.
    if (new.body, new.topic_id, new.channel_id, new.job_id)
       is distinct from (old.body, old.topic_id, old.channel_id, old.job_id) then
      if old.status not in ('draft', 'submitted', 'rejected') then
        raise exception 'an approved post cannot be changed; move it back to draft first'
          using errcode = 'check_violation';
      end if;
      if as_user and me is distinct from old.author_id and not private.has_social_role('editor') then
        raise exception 'only its author or an editor edits a post' using errcode = 'insufficient_privilege';
      end if;
    end if;
    return new;
  end if;

  if not (allowed -> old.status::text) ? new.status::text then
    raise exception 'a % post cannot become %', old.status, new.status using errcode = 'check_violation';
  end if;
  if new.status = 'submitted' and new.topic_id is null then
    raise exception 'choose an approved topic before submitting' using errcode = 'check_violation';
  end if;
  if as_user then
    if new.status in ('approved', 'rejected') and old.status = 'submitted' then
      if not private.has_social_role('approver') then
        raise exception 'only approvers approve or reject posts' using errcode = 'insufficient_privilege';
      end if;
      if me = old.author_id then
        raise exception 'nobody approves their own post' using errcode = 'insufficient_privilege';
      end if;
    elsif new.status in ('submitted', 'draft') then
      if me is distinct from old.author_id and not private.has_social_role('editor') then
        raise exception 'only its author or an editor moves a post back or submits it'
          using errcode = 'insufficient_privilege';
      end if;
    elsif not private.has_social_role('publisher') then
      raise exception 'only publishers schedule and publish posts' using errcode = 'insufficient_privilege';
    end if;
  end if;
  if new.status = 'rejected' and coalesce(btrim(new.review_comment), '') = '' then
    raise exception 'say why the post is rejected' using errcode = 'check_violation';
  end if;

  new.approved_by := case when new.status = 'approved' and old.status = 'submitted' then me
                          when new.status in ('draft', 'submitted', 'rejected') then null
                          else old.approved_by end;
  if new.status <> 'scheduled' then  -- a published post keeps when it was planned for
    new.scheduled_for := case when new.status = 'published' then old.scheduled_for end;
  end if;
  if new.status = 'published' then
    new.published_at := coalesce(new.published_at, now());
  end if;
  if new.status = 'submitted' then
    new.review_comment := null;
  end if;
  return new;
end;
$$;

create trigger social_posts_guard
  before insert or update on public.social_posts
  for each row execute function private.guard_social_post();

create function private.record_social_post_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    insert into public.social_post_events (post_id, from_status, to_status, actor_id, comment)
    values (new.id, case when tg_op = 'UPDATE' then old.status end, new.status, auth.uid(),
            case when new.status = 'rejected' then new.review_comment
                 else nullif(current_setting('boomerang.post_event_comment', true), '') end);
  end if;
  return null;
end;
$$;

create trigger social_posts_history
  after insert or update on public.social_posts
  for each row execute function private.record_social_post_event();

-- Closing a posting stops its scheduled posts: they go back to approved, unscheduled.
create function private.unschedule_closed_job_posts() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform set_config('boomerang.post_event_comment', 'the posting was closed', true);
  update public.social_posts set status = 'approved'
  where job_id = new.id and status = 'scheduled';
  perform set_config('boomerang.post_event_comment', '', true);
  return null;
end;
$$;

create trigger jobs_unschedule_posts_when_closed
  after update of status on public.jobs
  for each row when (new.status = 'closed' and old.status is distinct from 'closed')
  execute function private.unschedule_closed_job_posts();

-- ---------------------------------------------------------------------------
-- Policies.
-- ---------------------------------------------------------------------------
create policy "channels: staff read" on public.social_channels
  for select to authenticated using ((select private.is_staff()));
create policy "channels: admins write" on public.social_channels
  for all to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));

create policy "channel slots: staff read" on public.channel_slots
  for select to authenticated using ((select private.is_staff()));
create policy "channel slots: admins write" on public.channel_slots
  for all to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));

create policy "channel webhooks: admins only" on public.channel_webhooks
  for all to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));

create policy "social roles: staff read" on public.social_roles
  for select to authenticated using ((select private.is_staff()));
create policy "social roles: admins grant" on public.social_roles
  for all to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));

create policy "topics: staff read" on public.social_topics
  for select to authenticated using ((select private.is_staff()));
create policy "topics: approvers keep them" on public.social_topics
  for all to authenticated
  using ((select private.has_social_role('approver')))
  with check ((select private.has_social_role('approver')));

create policy "posts: staff read" on public.social_posts
  for select to authenticated using ((select private.is_staff()));
create policy "posts: publishers write their own" on public.social_posts
  for insert to authenticated
  with check (author_id = (select auth.uid()) and (select private.has_social_role('publisher')));
create policy "posts: staff update, the workflow decides" on public.social_posts
  for update to authenticated using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "posts: drafts deleted by their author, anything by admins" on public.social_posts
  for delete to authenticated
  using ((status = 'draft' and author_id = (select auth.uid())) or (select private.is_admin()));

create policy "post history: staff read" on public.social_post_events
  for select to authenticated using ((select private.is_staff()));

-- ---------------------------------------------------------------------------
-- Privileges.
-- ---------------------------------------------------------------------------
revoke all on public.social_channels, public.channel_slots, public.channel_webhooks,
  public.social_roles, public.social_topics, public.social_posts, public.social_post_events
  from anon, authenticated;
grant select, insert, update, delete on public.social_channels, public.channel_slots,
  public.channel_webhooks, public.social_roles, public.social_topics, public.social_posts
  to authenticated;
grant select on public.social_post_events to authenticated;
grant all on public.social_channels, public.channel_slots, public.channel_webhooks,
  public.social_roles, public.social_topics, public.social_posts, public.social_post_events
  to service_role;
revoke all on function private.has_social_role(public.social_role), private.guard_social_post(),
  private.record_social_post_event(), private.unschedule_closed_job_posts() from public;
grant execute on function private.has_social_role(public.social_role) to authenticated;
grant execute on function private.guard_social_post() to authenticated;
