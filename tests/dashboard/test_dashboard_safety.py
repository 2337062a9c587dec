"""The dashboard as an attacker meets it: `callstats dashboard` starts Streamlit with XSRF, CORS and a
Host allow-list set explicitly; a real server refuses a WebSocket whose Host or Origin is foreign
(DNS rebinding); text that came from users or files is never rendered as markdown."""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dashboard_helpers import OpenPage, dashboard_settings

from dashboard.ui import plain
from pipeline.commands import allowed_hosts
from pipeline.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]
EVIL_ORG = "Evil ![x](http://attacker.example/i.png) **loud** :red[x] <img src=x>"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _upgrade(port: int, host: str, origin: str | None = None) -> str:
    """The status line of a WebSocket upgrade to Streamlit's stream endpoint."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /_stcore/stream HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return s.recv(200).decode(errors="replace").split("\r\n")[0]


@pytest.mark.slow
def test_a_started_dashboard_refuses_foreign_hosts_and_origins(dashboard_db: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "dashboard", "--db", str(dashboard_db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = _upgrade(port, f"127.0.0.1:{port}")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the dashboard did not start"
                time.sleep(0.5)
        assert " 101 " in status
        assert " 101 " in _upgrade(port, f"localhost:{port}", f"http://localhost:{port}")
        assert " 403 " in _upgrade(port, f"attacker.example:{port}")  # DNS rebinding
        assert " 403 " in _upgrade(port, f"attacker.example:{port}", f"http://attacker.example:{port}")
        assert " 403 " in _upgrade(port, f"127.0.0.1:{port}", "http://attacker.example")  # cross-site
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_command_sets_the_protections_explicitly(
    dashboard_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import commands
    from pipeline.cli import main

    seen: list[list[str]] = []
    monkeypatch.setattr(commands.subprocess, "call", lambda command, env: seen.append(command) or 0)
    assert main(["dashboard", "--db", str(dashboard_db), "--allowed-host", "vaxel.intranet"]) == 0
    [command] = seen
    pairs = dict(zip(command[::2], command[1::2], strict=False)) | dict(
        zip(command[1::2], command[2::2], strict=False)
    )
    assert pairs["--server.enableXsrfProtection"] == "true"
    assert pairs["--server.enableCORS"] == "true"
    hosts = [command[i + 1] for i, part in enumerate(command) if part == "--server.allowedHosts"]
    assert set(hosts) == {"localhost", "127.0.0.1", "::1", "vaxel.intranet"}
    assert "0.0.0.0" not in allowed_hosts("0.0.0.0", [])


def test_user_text_is_escaped_for_markdown() -> None:
    escaped = plain(EVIL_ORG)
    assert re.search(r"(?<!\\)[!\[\]()*<>:]", escaped) is None, escaped  # each one escaped
    assert escaped.replace("\\", "") == EVIL_ORG


def test_an_organisation_name_is_not_rendered_as_markdown(open_page: OpenPage, tmp_path: Path) -> None:
    settings = dashboard_settings(tmp_path)
    settings = type(settings)(
        {
            **settings.values,
            "switchboard_numbers": [
                {"number": "051317000", "organisation": EVIL_ORG, "valid_from": "", "valid_to": ""}
            ],
        },
        settings.source_file,
    )
    csv = tmp_path / "calls.csv"
    csv.write_text(
        "call_id,started_at,outcome,dialled_number\ne1,2016-03-01T10:00:00+01:00,answered,051317000\n",
        encoding="utf-8",
    )
    ingest([csv], settings)
    at = open_page("vecka", org=EVIL_ORG, db=settings.db)
    captions = [c.value for c in at.caption if "Evil" in c.value]
    assert captions and all(
        re.search(r"(?<!\\)[!\[\]()*<>:]", c.split("Evil", 1)[1]) is None for c in captions
    )
