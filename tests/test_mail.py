"""`report board --mail-to`: the pack reaches a local SMTP server, started by the test, as one
message with the three attachments; the password comes from the environment only."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipeline.cli import main


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"vaxel", b"hemligt")
    return AuthResult(success=ok)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_check_login, auth_require_tls=False
    )
    controller.start()
    yield inbox, port
    controller.stop()


def test_the_pack_arrives_as_one_message_with_three_attachments(
    sample_db: Path, tmp_path: Path, smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    monkeypatch.setenv("CALLSTATS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CALLSTATS_SMTP_PORT", str(port))
    monkeypatch.setenv("CALLSTATS_SMTP_STARTTLS", "false")  # the local test server speaks no TLS
    monkeypatch.setenv("CALLSTATS_SMTP_USER", "vaxel")
    monkeypatch.setenv("CALLSTATS_SMTP_PASSWORD", "hemligt")
    args = ["report", "board", "--month", "2017-02", "--out", str(tmp_path), "--db", str(sample_db)]
    assert main([*args, "--mail-to", "namnd@example.se"]) == 0
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    assert (sender, recipients) == ("vaxel", ["namnd@example.se"])
    mail = email.message_from_bytes(content, policy=email.policy.default)
    assert mail["Subject"] == "Växel – statistik februari 2017 – Hela växeln"
    names = sorted(part.get_filename() for part in mail.iter_attachments())
    assert names == [f"vaxel-statistik-2017-02-hela-vaxeln.{ext}" for ext in ("pdf", "pptx", "xlsx")]
    attached = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    for name, data in attached.items():
        assert data == (tmp_path / name).read_bytes()


def test_a_wrong_password_is_one_line_and_the_pack_stays_written(
    sample_db: Path,
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = smtp_server
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "STARTTLS": "false", "USER": "vaxel"}.items():
        monkeypatch.setenv(f"CALLSTATS_SMTP_{name}", value)
    monkeypatch.setenv("CALLSTATS_SMTP_PASSWORD", "fel")
    args = ["report", "board", "--month", "2017-02", "--out", str(tmp_path), "--db", str(sample_db)]
    assert main([*args, "--mail-to", "namnd@example.se"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("callstats: cannot mail the pack via 127.0.0.1:") and "\n" not in error
    assert inbox.messages == []
    assert len(list(tmp_path.glob("vaxel-statistik-2017-02-*"))) == 3


def test_a_password_in_the_settings_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "callstats.toml").write_text('smtp_password = "hemligt"\n', encoding="utf-8")
    from pipeline.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match="CALLSTATS_SMTP_PASSWORD"):
        load_settings(start=tmp_path)
