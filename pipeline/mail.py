"""Mailing the board's pack through the site's SMTP server (settings smtp_*; the password only from
the environment variable CALLSTATS_SMTP_PASSWORD, never from a file)."""

from __future__ import annotations

import mimetypes
import os
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from pipeline.config import SMTP_PASSWORD_ENV, Settings
from pipeline.errors import UsageError
from pipeline.pack import Pack

MIME_TYPES = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}


def message(pack: Pack, paths: Sequence[Path], sender: str, recipients: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"{pack.title} – {pack.org_text()}"
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    greeting = (
        "Bifogat: månadens statistik för nämnden."
        if pack.lang == "sv"
        else "Attached: the month's statistics for the board."
    )
    mail.set_content("\n".join([greeting, "", pack.through_text(), *pack.sentences()]) + "\n")
    for path in paths:
        kind = MIME_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        mail.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    return mail


def send_pack(settings: Settings, pack: Pack, paths: Sequence[Path], recipients: Sequence[str]) -> None:
    host = str(settings["smtp_host"] or "")
    if not host:
        raise UsageError(
            "--mail-to needs the setting smtp_host (callstats.toml or CALLSTATS_SMTP_HOST); the pack was written"
        )
    port = int(settings["smtp_port"])
    user = str(settings["smtp_user"] or "")
    password = os.environ.get(SMTP_PASSWORD_ENV, "")
    if user and not password:
        raise UsageError(
            f"smtp_user is set but {SMTP_PASSWORD_ENV} is empty; the pack was written, not mailed"
        )
    sender = str(settings["smtp_from"] or user or "callstats@localhost")
    mail = message(pack, paths, sender, recipients)
    try:
        with smtplib.SMTP(host, port, timeout=60) as server:
            if settings["smtp_starttls"]:
                server.starttls(context=ssl.create_default_context())
            if user:
                server.login(user, password)
            server.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"cannot mail the pack via {host}:{port}: {reason}; the pack was written") from None
