-- Social posts carry short links too (issue 15): the composer makes a post's /r/<code> while it
-- drafts, before the post is saved, and the job may still be waiting for approval.
--
-- 1. A short link's post is a tracking tag, as job_visits.post_id is, not a reference: the
--    code exists before its post row does, and a link already out on a network keeps leading
--    to the job (and crediting the post's id) after the post is deleted in the portal.
alter table public.short_links drop constraint short_links_post_id_fkey;

-- 2. Staff may shorten a link to a job in any state (its page answers once the job is
--    published); alumni still only to published jobs, for their own referral code.
create or replace function private.short_link_code(p_job uuid, p_source text, p_utm_medium text,
                                                   p_utm_campaign text, p_post uuid, p_referral_code text)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  found_code text;
  attempts int := 0;
begin
  if coalesce((select private.is_staff()), false) then
    if not exists (select 1 from public.jobs j where j.id = p_job) then
      raise exception 'That job does not exist.' using errcode = 'P0002';
    end if;
  else
    if p_post is not null or p_referral_code is null
       or not (select private.in_referral_programme())
       or p_referral_code is distinct from
          (select c.code from public.referral_codes c where c.user_id = (select private.me())) then
      raise exception 'Only staff, or alumni for their own referral links, make short links.'
        using errcode = '42501';
    end if;
    if not exists (select 1 from public.jobs j where j.id = p_job and j.status = 'published') then
      raise exception 'Short links are made for published jobs only.' using errcode = 'P0002';
    end if;
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

comment on column public.short_links.post_id is
  'The social post the link credits (a tag, not a reference: made while drafting, kept after the post is deleted)';
