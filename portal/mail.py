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


class SendFailure(Exception):
    """An email the server did not take: `reason` is in the portal's own words (never the
    server's answer, which may echo an address or a user name); `temporary` when trying
    again later may help."""

    def __init__(self, reason: str, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


_console = logging.getLogger("boomerang.mail.console")


def console(to: str, subject: str, body: str) -> None:
    """Without SMTP, an email a person must get to go on (a confirmation link) is written to
    the server's log at INFO, as Django's console email backend does: a developer copies
    the link from there. Never used when SMTP is set."""
    if not _console.handlers:  # Streamlit configures only its own loggers
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        _console.addHandler(handler)
        _console.setLevel(logging.INFO)
    _console.info("Email not sent (no SMTP server); it would say:\nTo: %s\nSubject: %s\n\n%s",
                  to, subject, body)


def send(to: str, subject: str, body: str, config: Settings | None = None) -> bool:
    """Send a plain-text email; True when the server took it. Failures are logged (without
    the address) and reported as False: the caller always has another channel."""
    config = config or settings()
    if not config.smtp_host:
        return False
    try:
        deliver(to, subject, body, config)
    except SendFailure:
        return False
    return True


def deliver(to: str, subject: str, body: str, config: Settings | None = None) -> None:
    """Send a plain-text email, or raise SendFailure saying why not (logged by type only)."""
    config = config or settings()
    if not config.smtp_host:
        raise SendFailure("Email is not set up (no SMTP server).", temporary=False)
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
        raise _failure(error) from None


def _failure(error: Exception) -> SendFailure:
    """What went wrong, in our words, and whether it may heal by itself (SMTP's 4xx codes,
    an unreachable server) or not (5xx codes, a refused password or certificate)."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return SendFailure("The mail server refused the portal's user name or password "
                           "(SMTP_USER, SMTP_PASSWORD).", temporary=False)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return SendFailure("The mail server does not offer STARTTLS, so nothing was sent in clear "
                           "text (SMTP_STARTTLS).", temporary=False)
    if isinstance(error, ssl.SSLError):
        return SendFailure("The mail server's certificate is not trusted, so nothing was sent.",
                           temporary=False)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        temporary = bool(codes) and all(400 <= code < 500 for code in codes)
        return SendFailure("The mail server refused the address for now; will try again." if temporary
                           else "The mail server refused the address.", temporary=temporary)
    if isinstance(error, smtplib.SMTPSenderRefused) and not 400 <= error.smtp_code < 500:
        return SendFailure("The mail server refused the portal's sender address (SMTP_FROM).",
                           temporary=False)
    if isinstance(error, smtplib.SMTPResponseException):
        if 400 <= error.smtp_code < 500:
            return SendFailure(f"The mail server asked to try again later (code {error.smtp_code}).",
                               temporary=True)
        return SendFailure(f"The mail server refused the email (code {error.smtp_code}).", temporary=False)
    if isinstance(error, (smtplib.SMTPServerDisconnected, TimeoutError, OSError)):
        return SendFailure("Could not reach the mail server (SMTP_HOST, SMTP_PORT), or it hung up.",
                           temporary=True)
    return SendFailure(f"Sending failed ({type(error).__name__}).", temporary=False)


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()
