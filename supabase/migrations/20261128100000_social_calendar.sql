-- The posting calendar: the company's time zone, in which channels' slots are kept, and a
-- way for recruiters to know whether a channel is published automatically (it has an
-- incoming webhook) without being able to read the webhook's address, which is a secret.

-- Slots are wall-clock times ("Tuesday 10:00") in the company's time zone, so that a slot
-- stays at 10:00 through daylight-saving changes. Null: UTC.
alter table public.portal_settings add column time_zone text
  check (time_zone is null or length(time_zone) between 1 and 64);
comment on column public.portal_settings.time_zone is
  'IANA time-zone name the posting calendar and channel slots use; null means UTC';
comment on column public.channel_slots.at_time is
  'wall-clock time in the company time zone (portal_settings.time_zone, UTC when null)';

-- True when the channel has an incoming webhook. Staff only (null for anyone else): the
-- address itself stays readable by admins alone (policy "channel webhooks: admins only").
create function private.channel_has_webhook(channel uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case when (select private.is_staff())
              then exists (select 1 from public.channel_webhooks w where w.channel_id = channel) end
$$;

revoke all on function private.channel_has_webhook(uuid) from public;
grant execute on function private.channel_has_webhook(uuid) to authenticated;
