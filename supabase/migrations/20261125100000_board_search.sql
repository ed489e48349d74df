-- Searching job postings by a word in their title, location or description.
--
-- Under row-level security Postgres may not use an index for `ilike`: the operator is not
-- leakproof, so it must wait until the policy has filtered every row, and the board's
-- search read every posting's description (94 ms at 10,000 open jobs). This function
-- finds the matches through a trigram index instead, and returns only the postings the
-- caller may see, by the same rule as the jobs' select policy.

-- fastupdate off: postings are written rarely and searched often, and GIN's pending list
-- of new entries would be read in full by every search until the next vacuum.
create index jobs_search_trgm_idx on public.jobs
  using gin ((title || ' ' || location || ' ' || description) extensions.gin_trgm_ops)
  with (fastupdate = off);

-- `pattern`: an ILIKE pattern (portal.db.contains_pattern).
create function private.jobs_matching(pattern text) returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select j.id from public.jobs j
  where (j.title || ' ' || j.location || ' ' || j.description) ilike pattern
    and (j.status in ('published', 'closed') or (select private.is_staff()))
$$;

revoke all on function private.jobs_matching(text) from public, anon, authenticated;
grant execute on function private.jobs_matching(text) to anon, authenticated, service_role;
