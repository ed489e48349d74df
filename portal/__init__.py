"""What the services stand on: settings, the database and its migrations, sign-in, domain models."""
