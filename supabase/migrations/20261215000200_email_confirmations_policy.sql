-- Splinter's rls_enabled_no_policy, for the email confirmations table (issue 16's, made beside
-- the splinter-clean migration): as for question_words, only the service role may touch it,
-- and it bypasses row-level security anyway; the portal reaches it as the owner.
create policy "email confirmations: service role only"
  on private.email_confirmations for all to service_role using (true) with check (true);
