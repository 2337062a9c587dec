"""`callstats ingest` on one folder of mixed formats: each file detected, every record accounted for."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.ingest import ingest
from tests.conftest import ROOT, settings_for

FIXTURES = ROOT / "tests" / "fixtures" / "formats"
EXPECTED = {
    "asterisk/Master.csv": "asterisk_cdr",
    "queue_log/queue_log": "asterisk_queue_log",
    "freeswitch/default-template.csv": "freeswitch_csv",
    "cucm/cdr_StdCluster_01_202403040700_1": "cucm",
    "3cx/cdr.log": "3cx",
    "teams/DirectRoutingUsage.csv": "teams",
    "callstats/calls.csv": "callstats",
}


def test_each_file_is_detected_and_accounted_for_and_an_unknown_one_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    names: dict[str, str] = {}
    for relative, fmt in EXPECTED.items():
        target = folder / relative.replace("/", "-")
        shutil.copy(FIXTURES / relative, target)
        names[target.name] = fmt
    shutil.copy(FIXTURES / "unknown" / "report.csv", folder / "unknown-report.csv")

    report = ingest([folder], settings_for(tmp_path))

    by_name = {f.path.name: f for f in report.files}
    assert set(by_name) == {*names, "unknown-report.csv"}
    for name, fmt in names.items():
        file = by_name[name]
        assert (file.status, file.format) == ("loaded", fmt), (name, file.message)
        assert file.rows_read > 0
        assert file.rows_read == file.loaded + file.merged + file.duplicate + file.rejected + file.filtered
    unknown = by_name["unknown-report.csv"]
    assert unknown.status == "failed"
    assert "--mapping" in unknown.message and "\n" not in unknown.message
    assert unknown.loaded == 0
    assert sum(f.loaded for f in report.files) > 0
