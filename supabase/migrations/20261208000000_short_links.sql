-- Short tracked links: /r/<code> stands for one job with the tracking a long link carries
-- (utm source, medium, campaign, the social post, an alumnus's referral code). The web layer's
-- route follows it: it counts the visit here, server-side (a link-preview fetcher or a crawler
-- is counted apart, in bot_visits, never as a visit), then redirects to the job's page.

create table public.short_links (
  code text primary key check (code ~ '^[A-Za-z0-9]{7}$'),
  job_id uuid not null references public.jobs (id) on delete cascade,
  source text not null check (length(source) between 1 and 100),
  utm_medium text check (length(utm_medium) <= 100),
  utm_campaign text check (length(utm_campaign) <= 100),
  post_id uuid references public.social_posts (id) on delete cascade,
  referral_code text check (length(referral_code) <= 64),
  bot_visits bigint not null default 0,
  created_at timestamptz not null default now(),
  -- one code per destination: asking again for the same link gives the same code
  constraint short_links_one_per_target
    unique nulls not distinct (job_id, source, utm_medium, utm_campaign, post_id, referral_code)
);
create index short_links_post_idx on public.short_links (post_id) where post_id is not null;
alter table public.short_links enable row level security;
revoke all on public.short_links from anon, authenticated;
grant select on public.short_links to authenticated;
grant all on public.short_links to service_role;

-- Staff see every link (and how many bots fetched it); nobody writes rows directly: the
-- functions below make and follow links.
create policy "staff read short links" on public.short_links
  for select to authenticated using ((select private.is_staff()));

-- The code for a tracked link, made on first use. Staff may shorten any link to a job; an
-- alumnus or employee only links that carry their own referral code and no post.
create function private.short_link_code(p_job uuid, p_source text, p_utm_medium text,
                                        p_utm_campaign text, p_post uuid, p_referral_code text)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  found_code text;
  attempts int := 0;
begin
  if not coalesce((select private.is_staff()), false) then
    if p_post is not null or p_referral_code is null
       or not (select private.in_referral_programme())
       or p_referral_code is distinct from
          (select c.code from public.referral_codes c where c.user_id = (select private.me())) then
      raise exception 'Only staff, or alumni for their own referral links, make short links.'
        using errcode = '42501';
    end if;
  end if;
  if not exists (select 1 from public.jobs j where j.id = p_job and j.status = 'published') then
    raise exception 'Short links are made for published jobs only.' using errcode = 'P0002';
  end if;
  loop
    select s.code into found_code from public.short_links s
     where (s.job_id, s.source, s.utm_medium, s.utm_campaign, s.post_id, s.referral_code)
           is not distinct from (p_job, p_source, p_utm_medium, p_utm_campaign, p_post, p_referral_code);
    if found_code is not null then
      return found_code;
    end if;
    begin
      -- 7 letters and digits: 62^7 ≈ 3.5 × 10^12 codes
      insert into public.short_links (code, job_id, source, utm_medium, utm_campaign, post_id, referral_code)
      values (substr(regexp_replace(encode(uuid_send(gen_random_uuid()), 'base64'), '[^A-Za-z0-9]', '', 'g'), 1, 7),
              p_job, p_source, p_utm_medium, p_utm_campaign, p_post, p_referral_code)
      returning code into found_code;
      return found_code;
    exception when unique_violation then
      -- the same link made at the same moment, or (rarely) a code already taken: look again
      attempts := attempts + 1;
      if attempts > 5 then
        raise;
      end if;
    end;
  end loop;
end
$$;
revoke all on function private.short_link_code(uuid, text, text, text, uuid, text) from public;
grant execute on function private.short_link_code(uuid, text, text, text, uuid, text) to authenticated;

-- Follow a short link: count the visit (once per browser session, like the job page does) or,
-- for a bot, count it apart; return where the link leads. Nothing for an unknown code.
create function private.follow_short_link(p_code text, p_session uuid, p_bot boolean)
returns table (job_id uuid, source text, utm_medium text, utm_campaign text, post_id uuid,
               referral_code text)
language plpgsql security definer set search_path = ''
as $$
declare
  link public.short_links;
begin
  select * into link from public.short_links s where s.code = p_code;
  if not found then
    return;
  end if;
  if p_bot then
    update public.short_links s set bot_visits = s.bot_visits + 1 where s.code = p_code;
  else
    perform private.record_visit(link.job_id, p_session, link.source, link.utm_medium,
                                 link.utm_campaign, link.post_id);
  end if;
  return query select link.job_id, link.source, link.utm_medium, link.utm_campaign, link.post_id,
                      link.referral_code;
end
$$;
revoke all on function private.follow_short_link(text, uuid, boolean) from public;
grant execute on function private.follow_short_link(text, uuid, boolean) to anon, authenticated;

comment on table public.short_links is
  'Short tracked links (/r/<code>): one job with its tracking; bot_visits counts crawlers and link previews apart';
