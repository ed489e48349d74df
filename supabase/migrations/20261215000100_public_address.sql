-- Where the portal's links lead when PORTAL_PUBLIC_URL is not set (issue 15): the address an
-- admin chose in the portal (the warning admins see while links lead elsewhere offers the one
-- they use). Everyone may read it, as the rest of the portal's settings: it is in every link.
alter table public.portal_settings
  add column public_url text
    constraint portal_settings_public_url_form
    check (public_url ~ '^https?://[^/?#@[:space:]]+$' and length(public_url) <= 300);

comment on column public.portal_settings.public_url is
  'The address links lead to (scheme://host[:port]) when PORTAL_PUBLIC_URL is not set; chosen by an admin';
