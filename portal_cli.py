"""The `portal` command: the same services the pages use, from a terminal.

    portal db upgrade            apply pending migrations
    portal db url                print the connection URL of the database in use (for psql)
    portal db stop [--force]     stop the embedded PostgreSQL that `db url` left running
    portal demo [--force]        load the demo data (running it twice changes nothing)
    portal users add EMAIL --role ROLE [--name NAME]
"""

from __future__ import annotations

import argparse
import logging
import sys

from portal import db, embedded, migrations
from portal.errors import UserFacingError
from portal.models import Role
from portal.settings import settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except migrations.MigrationError as error:
        print(f"error: migration failed: {error}", file=sys.stderr)
    except (db.DatabaseUnavailable, UserFacingError) as error:
        print(f"error: {error}", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Boomerang's command line.")
    commands = parser.add_subparsers(title="commands")

    db_parser = commands.add_parser("db", help="the database")
    db_commands = db_parser.add_subparsers(title="database commands", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_db_upgrade)
    db_commands.add_parser("url", help="print the connection URL (for psql)").set_defaults(
        run=_db_url)
    stop = db_commands.add_parser("stop", help="stop the embedded PostgreSQL")
    stop.add_argument("--force", action="store_true", help="even while clients are connected")
    stop.set_defaults(run=_db_stop)

    demo = commands.add_parser("demo", help="load the demo data (into a portal without accounts)")
    demo.add_argument("--force", action="store_true",
                      help="load it even though the portal has accounts of its own")
    demo.set_defaults(run=_demo)

    users = commands.add_parser("users", help="user accounts")
    user_commands = users.add_subparsers(title="user commands", required=True)
    add = user_commands.add_parser("add", help="add an account and print its temporary password")
    add.add_argument("email")
    add.add_argument("--role", required=True, help=", ".join(r.value for r in Role))
    add.add_argument("--name", default="", help="full name (defaults to the email's local part)")
    add.set_defaults(run=_users_add)
    return parser


def _db_upgrade(_args: argparse.Namespace) -> None:
    engine = db.engine()
    with db.translate_errors(engine):
        applied = migrations.upgrade(engine)
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else
                                                    "; the database is up to date"))


def _db_url(_args: argparse.Namespace) -> None:
    config = settings()
    url = db.database_url(config, keep_running=True)
    print(url.replace("postgresql+psycopg://", "postgresql://", 1))
    if config.embedded:
        print("(the embedded server keeps running for psql; `portal db stop` stops it)",
              file=sys.stderr)


def _db_stop(args: argparse.Namespace) -> None:
    config = settings()
    if not config.embedded:
        raise UserFacingError("DATABASE_URL is set: there is no embedded server to stop.")
    busy = embedded.other_connections(config.data_dir)
    if busy and not args.force:
        raise UserFacingError(f"{busy} connection(s) are open (is the app running?). Stop them "
                              "first, or use `portal db stop --force`.")
    print("stopped" if embedded.stop(config.data_dir) else "the embedded server was not running")


def _demo(args: argparse.Namespace) -> None:
    from services import demo

    added = demo.load_demo(force=args.force)
    if not any(added.values()):
        print("the demo data is already loaded; nothing changed")
        return
    print("loaded: " + ", ".join(f"{n} {table}" for table, n in added.items() if n))
    print(f"sign in as any of: {', '.join(a.email for a in demo.DEMO_ACCOUNTS)}"
          f" (password: {demo.DEMO_PASSWORD})")


def _users_add(args: argparse.Namespace) -> None:
    from portal import validation
    from services import accounts

    email = validation.email_address(args.email)
    role = validation.role(args.role)
    name = validation.full_name(args.name or email.split("@")[0], required=True)
    password = accounts.add_account(email, name, role)
    print(f"added {email} as {role.value}; temporary password: {password}")


if __name__ == "__main__":
    sys.exit(main())
