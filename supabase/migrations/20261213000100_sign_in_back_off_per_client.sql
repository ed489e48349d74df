-- Sign-in back-off per address *and* per client (issue 17, finding 13), without locking the
-- real owner out. services/people/sign_in.py keeps one row per key:
--
--   pair:<email> <client>   failures for one address from one client: after 3 in a row the
--                           client waits 1 s, doubling up to 300 s, before its next try for
--                           that address (the old per-address lock, now per client)
--   client:<client>         failures from one client across addresses: after 10 it waits,
--                           whatever address it tries next (one password sprayed over many
--                           addresses)
--   email:<email>           failures for one address from every client: after 10 the address
--                           is under attack, and a client that failed on it recently waits;
--                           a client with no recent failure for it still gets its try, so the
--                           owner's right password from their own client signs them in
--
-- The client is the address the server sees (behind a proxy, from X-Forwarded-For when
-- the proxy is trusted: uvicorn's FORWARDED_ALLOW_IPS, docs/operations.md). Rows are forgotten once their window has passed and
-- their wait is over: the table holds client addresses only while they matter.

delete from private.sign_in_failures;
alter table private.sign_in_failures rename column email to key;
alter table private.sign_in_failures
  add constraint sign_in_failures_key_kind check (key ~ '^(pair|client|email):');
comment on table private.sign_in_failures is
  'Sign-in back-off: failures per pair:<email> <client>, client:<client> and email:<email>';
