"""Outgoing email through the SMTP server in the settings. Without one, `send` says so
and callers show the private link instead."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from portal.settings import Settings, settings

_log = logging.getLogger("boomerang.mail")


def enabled(config: Settings | None = None) -> bool:
    return bool((config or settings()).smtp_host)


def send(to: str, subject: str, body: str, config: Settings | None = None) -> bool:
    """Send a plain-text email; True when the server took it. Failures are logged (without
    the address) and reported as False: the caller always has another channel."""
    config = config or settings()
    if not config.smtp_host:
        return False
    message = EmailMessage()
    message["From"] = config.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=10) as server:
            if config.smtp_starttls:
                # The server's extensions are known only after EHLO; a server that offers
                # no STARTTLS gets nothing (no password, no candidate's email) in clear text,
                # and its certificate is checked like any other.
                server.ehlo()
                server.starttls(context=_tls_context())
                server.ehlo()
            if config.smtp_user and config.smtp_password:
                server.login(config.smtp_user, config.smtp_password)
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        _log.warning("email not sent: %s", type(error).__name__)
        return False
    return True


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()
