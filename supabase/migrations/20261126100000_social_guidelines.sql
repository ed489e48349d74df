-- The company's social-media guidelines, which posts are checked against before they go out
-- (services/social/policy.py): terms that must never appear in a post (project code names,
-- client names, unannounced things), the forms of affiliation disclosure an employee's post
-- must carry, and for which audiences the disclosure is required.
--
--   recruiters and admins   read them (the post composer checks every draft)
--   admins                  change them
--
-- Nobody else reads them: the confidential terms are themselves confidential.

create table public.social_guidelines (
  id smallint primary key default 1 check (id = 1),
  confidential_terms text[] not null default '{}' check (cardinality(confidential_terms) <= 500),
  disclosures text[] not null
    default array['#ad', '#employee', 'I work at', 'I work for', 'we are hiring', 'we''re hiring',
                  'join our team', 'join my team']
    check (cardinality(disclosures) <= 50),
  disclosure_external boolean not null default true,
  disclosure_internal boolean not null default false,
  updated_at timestamptz not null default now(),
  -- a required disclosure needs at least one accepted form, or no post could pass
  check (cardinality(disclosures) > 0 or not (disclosure_external or disclosure_internal))
);
insert into public.social_guidelines (id) values (1);
alter table public.social_guidelines enable row level security;

create policy "social guidelines: staff read" on public.social_guidelines
  for select to authenticated using ((select private.is_staff()));
create policy "social guidelines: admins update" on public.social_guidelines
  for update to authenticated
  using ((select private.is_admin())) with check ((select private.is_admin()));

revoke all on public.social_guidelines from anon, authenticated;
grant select, update on public.social_guidelines to authenticated;
grant all on public.social_guidelines to service_role;
