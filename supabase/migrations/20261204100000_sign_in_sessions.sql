-- Sign-in that outlasts a browser tab: a session is named by an HttpOnly cookie holding a
-- random token; only its SHA-256 is stored here. Signing in hands the browser a one-time
-- code (valid one minute) that the web layer's /auth/session route exchanges for the
-- session and its cookie, so the session token never appears in a URL.
-- Both tables are private: only the server (the owner connection) reads and writes them;
-- the Data API never sees them.

create table private.sign_in_sessions (
  token_hash bytea primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,  -- the absolute end, whatever the activity
  device text not null default ''   -- the browser's User-Agent, for "Signed-in devices"
);
create index sign_in_sessions_user_idx on private.sign_in_sessions (user_id);
comment on table private.sign_in_sessions is
  'Server-side sign-in sessions; the browser holds the token in an HttpOnly cookie.';

create table private.sign_in_handoffs (
  code_hash bytea primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  expires_at timestamptz not null
);
create index sign_in_handoffs_user_idx on private.sign_in_handoffs (user_id);
comment on table private.sign_in_handoffs is
  'One-time codes that turn a sign-in on a page into a session cookie (valid one minute).';

revoke all on private.sign_in_sessions, private.sign_in_handoffs from public, anon, authenticated;
