"""The switchboard definition in settings reaches the adapters: calls outside it are filtered with a reason."""

from __future__ import annotations

from pathlib import Path

from pipeline.ingest import ingest
from tests.conftest import settings_for

QUEUE_LOG = """\
1480579200|1480579200.1|vaxel|NONE|ENTERQUEUE||0701234567|1
1480579210|1480579200.1|vaxel|Agent/201|CONNECT|10|1480579200.1|2
1480579300|1480579200.1|vaxel|Agent/201|COMPLETEAGENT|10|90|1
1480579400|1480579400.2|support|NONE|ENTERQUEUE||0701234568|1
1480579420|1480579400.2|support|NONE|ABANDON|1|1|20
"""


def test_only_the_switchboard_queue_counts(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(QUEUE_LOG, encoding="utf-8")
    settings = settings_for(tmp_path, switchboard_queues=["vaxel"])
    report = ingest([path], settings)
    (file,) = report.files
    assert file.status == "loaded", file.message
    assert file.loaded == 1
    assert file.filtered >= 1
    assert file.rows_read == file.loaded + file.merged + file.duplicate + file.rejected + file.filtered


def test_without_a_definition_every_queue_counts(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(QUEUE_LOG, encoding="utf-8")
    report = ingest([path], settings_for(tmp_path))
    assert report.files[0].loaded == 2
