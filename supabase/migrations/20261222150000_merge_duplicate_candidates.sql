-- One person under two emails (the same LinkedIn profile) is merged by a recruiter into one
-- candidate (issue 16).
--
--   private.merge_candidates(keep, merge): staff only (it asks private.is_staff() itself),
--   the merger from the session. Both candidates must exist, be two, and have the same
--   LinkedIn profile (as private.candidate_identities reads it). Refused, changing nothing:
--   both applied to one job (move or withdraw one application first), or both have a
--   candidate account. Otherwise the applications, referrals and hires of `merge` become
--   `keep`'s, the questions asked with its email are `keep`'s email's, `keep` takes its phone,
--   LinkedIn and account where it has none, and `merge` is deleted. One audit entry, with
--   the two ids and what moved (no email: the log keeps no personal data).

create function private.merge_candidates(
  p_keep uuid, p_merge uuid,
  out applications integer, out referrals integer, out questions integer
) returns record
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  kept record;
  merged record;
  both_jobs text;
begin
  if not (select private.is_staff()) then
    raise exception 'Only recruiters and admins can merge candidates.' using errcode = '42501';
  end if;
  if p_keep is null or p_merge is null or p_keep = p_merge then
    raise exception 'Choose two different candidates to merge.' using errcode = 'P0001';
  end if;
  -- Both rows locked, in one order, so that two merges of the same people queue.
  perform 1 from public.candidates c where c.id in (p_keep, p_merge) order by c.id for update;
  select c.* into kept from public.candidates c where c.id = p_keep;
  select c.* into merged from public.candidates c where c.id = p_merge;
  if kept.id is null or merged.id is null then
    raise exception 'One of these candidates does not exist any more.' using errcode = 'P0002';
  end if;
  if kept.linkedin_url is null or merged.linkedin_url is null
     or private.candidate_identities('', kept.linkedin_url) is distinct from
        private.candidate_identities('', merged.linkedin_url) then
    raise exception 'Only candidates with the same LinkedIn profile are merged here.' using errcode = 'P0001';
  end if;
  select string_agg(j.title, ', ' order by j.title) into both_jobs
    from public.applications a join public.applications b on b.job_id = a.job_id
    join public.jobs j on j.id = a.job_id
   where a.candidate_id = p_keep and b.candidate_id = p_merge;
  if both_jobs is not null then
    raise exception 'Both applied to %: withdraw or reject one of those applications, then merge.', both_jobs
      using errcode = 'P0001';
  end if;
  if kept.user_id is not null and merged.user_id is not null then
    raise exception 'Both have a candidate account: they cannot be merged into one.' using errcode = 'P0001';
  end if;

  update public.applications a set candidate_id = p_keep where a.candidate_id = p_merge;
  get diagnostics applications = row_count;
  update public.referrals r set candidate_id = p_keep where r.candidate_id = p_merge;
  get diagnostics referrals = row_count;
  update public.hires h set candidate_id = p_keep where h.candidate_id = p_merge;
  update public.question_askers q set email = lower(kept.email) where q.email = lower(merged.email);
  get diagnostics questions = row_count;
  delete from public.candidates c where c.id = p_merge;
  update public.candidates c
     set phone = coalesce(c.phone, merged.phone), user_id = coalesce(c.user_id, merged.user_id)
   where c.id = p_keep;
  insert into public.audit_log (actor_id, action, subject_type, subject_id, details)
  values (me, 'candidate.merged', 'candidate', p_keep::text,
          jsonb_build_object('merged', p_merge, 'applications', applications,
                             'referrals', referrals, 'questions', questions));
end
$$;
revoke all on function private.merge_candidates(uuid, uuid) from public, anon;
grant execute on function private.merge_candidates(uuid, uuid) to authenticated;
