"""The README's promises about the code itself, held as tests."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys

import pipeline
from dashboard.i18n import RELATION_HELP
from pipeline.cli import _parser
from pipeline.config import SETTINGS
from pipeline.ingest import analyst_views
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
    out = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True)
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
    assert [v for v in views if f"`{v}`" not in README and f"`{v.removesuffix('_org')}` (`_org`)" not in README] == []
    assert [v for v in views if v not in RELATION_HELP] == []
