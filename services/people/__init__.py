"""People and access: accounts, signing in, the admins' settings for candidates' data, and
personal data on request."""
