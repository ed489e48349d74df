-- Company pages connected through the network's OAuth 2 (Buffer- and Hootsuite-style): an
-- admin consents at LinkedIn or X, the web layer's callback stores the tokens, the worker
-- refreshes them before they expire and publishes with them, and disconnecting revokes them
-- at the network. The tokens are encrypted by the server (Fernet, PORTAL_TOKEN_KEY) before
-- they reach this table, and the tables are private: only the server (the owner connection)
-- reads and writes them; the Data API never sees them. Staff see whether a channel is
-- connected, to which page, and until when, through private.channel_connections_shown.

create table private.channel_connections (
  channel_id uuid primary key references public.social_channels (id) on delete cascade,
  account_id text not null check (length(account_id) between 1 and 200),  -- whom posts go out as
  account_name text not null check (length(account_name) between 1 and 200),
  access_token text not null,  -- sealed (encrypted and authenticated) by the server
  refresh_token text,          -- sealed; null when the network gave none
  issued_at timestamptz not null default now(),  -- when the access token was issued
  expires_at timestamptz,      -- null: the network gave no end
  refresh_expires_at timestamptz,
  grantor text check (length(grantor) <= 200),  -- who consented, where the network revokes by it (Facebook)
  -- Every page the consenting user manages, for the admin to choose which one posts:
  -- [{"id", "name", "token" (sealed; the page's own, where the network gives one)}].
  choices jsonb not null default '[]' check (jsonb_typeof(choices) = 'array'),
  connected_by uuid references auth.users (id) on delete set null,
  connected_at timestamptz not null default now(),
  problem text check (length(problem) <= 300)  -- the last refresh's failure, for the admins' page
);
create index channel_connections_connected_by_idx on private.channel_connections (connected_by);
create index channel_connections_expiry_idx on private.channel_connections (expires_at)
  where refresh_token is not null;
comment on table private.channel_connections is
  'Company pages connected through OAuth; tokens encrypted by the server.';

-- A connection begun (the admin went to the network to consent): the state's SHA-256, the
-- PKCE verifier (sealed), whose browser began it and where the network sends them back.
-- Used once, valid ten minutes.
create table private.channel_oauth_states (
  state_hash bytea primary key,
  channel_id uuid not null references public.social_channels (id) on delete cascade,
  network public.social_network not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  code_verifier text,
  redirect_uri text not null,
  expires_at timestamptz not null
);
create index channel_oauth_states_channel_idx on private.channel_oauth_states (channel_id);
create index channel_oauth_states_user_idx on private.channel_oauth_states (user_id);
comment on table private.channel_oauth_states is
  'OAuth connections begun and not yet finished (the state is single-use, valid ten minutes).';

revoke all on private.channel_connections, private.channel_oauth_states
  from public, anon, authenticated;

-- What staff may know of the connections: never a token.
create function private.channel_connections_shown()
returns table (channel_id uuid, account_name text, expires_at timestamptz,
               refreshable boolean, connected_at timestamptz, problem text, account_id text,
               choices jsonb)
language sql stable security definer set search_path = ''
as $$
  select k.channel_id, k.account_name, k.expires_at, k.refresh_token is not null,
         k.connected_at, k.problem, k.account_id,
         (select coalesce(jsonb_agg(jsonb_build_object('id', c ->> 'id', 'name', c ->> 'name')), '[]')
          from jsonb_array_elements(k.choices) c)
  from private.channel_connections k
  where (select private.is_staff())
$$;
revoke all on function private.channel_connections_shown() from public;
grant execute on function private.channel_connections_shown() to authenticated;

-- The calendar's delivery states learn whether a channel's page is connected.
drop function private.post_delivery_states(uuid[]);
create function private.post_delivery_states(post_ids uuid[])
returns table (post_id uuid, network text, has_webhook boolean, status text,
               scheduled_for timestamptz, attempts smallint, next_attempt_at timestamptz,
               claimed_at timestamptz, last_status smallint, last_error text,
               given_up_at timestamptz, delivered_at timestamptz, connected boolean)
language sql stable security definer set search_path = ''
as $$
  select p.id, c.network::text,
         exists (select 1 from public.channel_webhooks w where w.channel_id = p.channel_id),
         p.status::text, p.scheduled_for, d.attempts, d.next_attempt_at, d.claimed_at,
         d.last_status, d.last_error, d.given_up_at, d.delivered_at,
         exists (select 1 from private.channel_connections k where k.channel_id = p.channel_id)
  from public.social_posts p
  join public.social_channels c on c.id = p.channel_id
  left join public.social_post_deliveries d on d.post_id = p.id and d.scheduled_for = p.scheduled_for
  where p.id = any (post_ids) and (select private.is_staff())
$$;
revoke all on function private.post_delivery_states(uuid[]) from public;
grant execute on function private.post_delivery_states(uuid[]) to authenticated;
