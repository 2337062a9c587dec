"""The README's promises about the code itself, held as tests."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline
from dashboard.i18n import RELATION_HELP
from pipeline.cli import _parser
from pipeline.config import SETTINGS, SettingsError, load_settings
from pipeline.views import analyst_views
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def pipeline_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline."))


def test_the_pipeline_never_loads_the_ui_libraries() -> None:
    """`pipeline/` is the headless core: importing any of its modules loads neither Streamlit nor Plotly."""
    modules = pipeline_modules()
    assert len(modules) > 10
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def subcommands() -> list[str]:
    action = next(a for a in _parser()._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


def test_every_command_is_in_the_readme() -> None:
    names = subcommands()
    assert {"ingest", "inspect", "report", "query", "dashboard", "demo", "sample", "purge"} <= set(names)
    missing = [n for n in names if not re.search(rf"`callstats {n}\b", README)]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in README]
    assert missing == []


def test_every_analyst_view_is_in_the_readme_and_has_help_on_the_sql_page() -> None:
    views = analyst_views()
    assert "calls_by_week" in views
    assert [
        v for v in views if f"`{v}`" not in README and f"`{v.removesuffix('_org')}` (`_org`)" not in README
    ] == []
    assert [v for v in views if v not in RELATION_HELP] == []


def test_settings_are_checked_by_type_wherever_they_come_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "callstats.toml"
    for text, message in [
        ('half_days = "no"', "half_days (from"),
        ('service_level_s = "abc"', "service_level_s (from"),
        ('switchboard_queues = "vaxel"', "switchboard_queues (from"),
        ("opens_at = 8", "opens_at (from"),
    ]:
        site.write_text(text + "\n", encoding="utf-8")
        with pytest.raises(SettingsError, match=re.escape(message)):
            load_settings(start=tmp_path)
    site.write_text("opens_at = 07:30:00\nservice_level_s = 30\n", encoding="utf-8")
    assert (load_settings(start=tmp_path)["opens_at"], load_settings(start=tmp_path)["service_level_s"]) == (
        "07:30",
        30,
    )
    monkeypatch.setenv("CALLSTATS_HALF_DAYS", "nej")
    with pytest.raises(SettingsError, match="CALLSTATS_HALF_DAYS must be true or false"):
        load_settings(start=tmp_path)
    monkeypatch.setenv("CALLSTATS_HALF_DAYS", "off")
    monkeypatch.setenv("CALLSTATS_SHORT_ABANDON_S", "x5")
    with pytest.raises(
        SettingsError, match="short_abandon_s \\(from CALLSTATS_SHORT_ABANDON_S\\) must be a whole number"
    ):
        load_settings(start=tmp_path)
    monkeypatch.setenv("CALLSTATS_SHORT_ABANDON_S", "8")
    loaded = load_settings(start=tmp_path)
    assert (loaded["half_days"], loaded["short_abandon_s"]) == (False, 8)


def test_the_recount_list_is_the_settings_marked_as_shaping_the_statistics() -> None:
    from pipeline.rebuild import FACT_SETTINGS

    marked = {s.name for s in SETTINGS if s.shapes_statistics}
    assert set(FACT_SETTINGS) == marked
    assert {"site_tz", "half_days", "service_level_s", "short_abandon_s", "opens_at"} <= marked
    assert not {"db", "key_file", "baseline_calls_per_month", "switchboard_numbers"} & marked


def test_sql_files_run_statement_by_statement_with_exactly_their_parameters() -> None:
    import duckdb

    from pipeline.store import execute_script

    con = duckdb.connect()
    execute_script(
        con,
        "-- a header naming $org; and a semicolon\n"
        "create table t as select $organisation as organisation, 'x;\ny' as text;\n"
        "insert into t values ($org, 'z');",
        {"org": "Vårgårda", "organisation": "Herrljunga", "unused": 1},
    )
    assert con.execute("select * from t order by 1").fetchall() == [
        ("Herrljunga", "x;\ny"),
        ("Vårgårda", "z"),
    ]


def test_every_view_carries_its_header_as_a_comment_in_the_published_file(sample_con: object) -> None:
    import duckdb

    from pipeline.views import view_description, view_files

    assert isinstance(sample_con, duckdb.DuckDBPyConnection)
    comments = dict(
        sample_con.execute("select view_name, comment from duckdb_views() where not internal").fetchall()
    )
    for path in view_files():
        expected = view_description(path.read_text(encoding="utf-8"))
        assert expected.startswith(f"{path.stem}:") and "layer:" not in expected
        assert comments[path.stem] == expected


def test_every_analyst_view_and_each_of_its_columns_has_a_comment_in_the_published_file(
    sample_con: object,
) -> None:
    """The published file (storage v1.2.0, copied from the working store) keeps the column comments,
    so the DuckDB CLI, DBeaver and the SQL page describe every column."""
    import duckdb

    from pipeline.views import column_comments

    assert isinstance(sample_con, duckdb.DuckDBPyConnection)
    rows = sample_con.execute(
        "select c.table_name, c.column_name, c.comment from duckdb_columns() as c "
        "inner join duckdb_views() as v on v.view_name = c.table_name and v.schema_name = c.schema_name "
        "where not v.internal"
    ).fetchall()
    views = analyst_views()
    described = {(view, column): comment for view, column, comment in rows if view in views}
    assert {view for view, _ in described} == set(views)
    assert [key for key, comment in described.items() if not (comment or "").strip()] == []
    # Exactly the header's text, quotes included ('(alla)'), inherited where the file says so:
    # calls_by_month's columns are described once, in base_months.sql.
    assert described[("calls_by_day", "organisation")] == column_comments("base_days")["organisation"]
    assert "'(alla)'" in described[("calls_by_day", "organisation")]
    assert described[("calls_by_month", "calls_yoy_pct")] == column_comments("base_months")["calls_yoy_pct"]


def test_column_descriptions_come_from_the_header_with_continuations_and_inheritance() -> None:
    from pipeline.views import column_comments, own_column_comments, view_description

    text = (
        "-- demo: a view.\n"
        "-- layer: 3\n"
        "-- Grain: one row.\n"
        "-- column calls: offered calls,\n"
        "--   one per call.\n"
        "-- column answer_rate: it's answered ÷ calls.\n"
        "-- columns as in: base_weeks\n"
        "create or replace view demo as select 1 as calls\n"
    )
    assert own_column_comments(text) == {
        "calls": "offered calls, one per call.",
        "answer_rate": "it's answered ÷ calls.",
    }
    assert view_description(text) == "demo: a view. Grain: one row."
    inherited = column_comments("calls_by_week")
    assert inherited["calls_yoy_pct"] == column_comments("base_weeks")["calls_yoy_pct"]
    assert inherited["weekday"] == column_comments("base_days")["weekday"]


def test_the_repository_stands_alone_no_file_names_the_design_notes_it_was_built_from() -> None:
    """What a reader needs (calendar rules, the board's figures, the measures) is in docs/; no file
    points to documents outside the repository."""
    outside = [stem + ".md" for stem in ("DESIGN", "DOMAIN", "FORMATS")]  # spelt apart: this file too
    skipped = {".git", ".venv", ".tools", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    naming = []
    for path in sorted(ROOT.rglob("*")):
        if skipped & set(path.relative_to(ROOT).parts) or not path.is_file():
            continue
        content = path.read_bytes()
        naming += [f"{path.relative_to(ROOT)}: {name}" for name in outside if name.encode() in content]
    assert naming == []
    assert {"calendar.md", "board-figures.md", "measures.md", "extending.md"} <= {
        p.name for p in (ROOT / "docs").glob("*.md")
    }


def test_every_table_has_a_comment_and_the_analysts_tables_every_column_too(sample_con: object) -> None:
    import duckdb

    assert isinstance(sample_con, duckdb.DuckDBPyConnection)
    tables = dict(
        sample_con.execute("select table_name, comment from duckdb_tables() where not internal").fetchall()
    )
    assert {"calls", "calendar", "settings"} <= set(tables)
    assert [name for name, comment in tables.items() if not (comment or "").strip()] == []
    analysts = ("calls", "daily_facts", "hourly_facts", "calendar", "ingested_files", "rejected_rows")
    analysts += ("filtered_rows", "switchboard_numbers", "settings")
    undescribed = sample_con.execute(
        "select table_name || '.' || column_name from duckdb_columns()"
        " where table_name in $tables and coalesce(trim(comment), '') = ''",
        {"tables": list(analysts)},
    ).fetchall()
    assert undescribed == []
