"""Entry of the dashboard: `streamlit run dashboard/app.py` (or `callstats dashboard`).

Sidebar filters shared by every page (language, organisation), the data's last date, and the
navigation over app_pages/. The database is the published snapshot named by CALLSTATS_DB (or the
settings); a missing or replaced database gives a message, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import snapshot, ui
from dashboard.i18n import LANGS, t
from pipeline.config import SettingsError, load_settings

PAGES = Path(__file__).resolve().parent / "app_pages"

# Readers, not developers: no "Deploy" button or developer menu, however the app is started.
st.set_option("client.toolbarMode", "viewer")
st.set_page_config(page_title="Växelstatistik", page_icon="☎️", layout="wide")

lang: str = st.sidebar.radio(
    t("lang_label", "sv"), LANGS, key="lang", horizontal=True,
    format_func=lambda code: {"sv": "svenska", "en": "English"}[code],
) or "sv"

navigation = st.navigation([
    st.Page(PAGES / "vecka.py", title=t("page_week", lang), icon=":material/calendar_view_week:",
            url_path="vecka", default=True),
    st.Page(PAGES / "manad.py", title=t("page_month", lang), icon=":material/calendar_month:",
            url_path="manad"),
    st.Page(PAGES / "sql.py", title=t("page_sql", lang), icon=":material/terminal:", url_path="sql"),
    st.Page(PAGES / "data.py", title=t("page_data", lang), icon=":material/database:", url_path="data"),
])

try:
    snap = snapshot.current_snapshot(Path(load_settings().db))
    organisations = snapshot.organisations(snap)
except SettingsError as exc:
    st.error(ui.plain(exc))
    st.stop()
except snapshot.DataUnavailable as exc:
    ui.show_unavailable(exc, lang)
    st.stop()

org: str = st.sidebar.selectbox(
    t("org_label", lang), ["", *organisations], key="org",
    format_func=lambda value: value or t("org_both", lang),
) or ""

try:
    ctx = ui.build_context(snap, lang, org)
    st.sidebar.markdown(f"**{ui.through_text(ctx)}**")
    ui.set_context(ctx)
    navigation.run()
except snapshot.DataUnavailable as exc:
    ui.show_unavailable(exc, lang)
