"""Data – what the database holds: data up to which date, the files ingested with their counts,
rejected rows with reasons, filtered rows, and the settings the database was built with."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import snapshot, ui
from pipeline import health, readable

ctx = ui.context()


def headed(frame: pl.DataFrame) -> pl.DataFrame:
    """The database's column names as headings in the page's language."""
    return frame.rename({name: ctx.t(f"col_{name}") for name in frame.columns})


ui.page_header(ctx, "data_title")
values = snapshot.settings(ctx.snap)
overview = snapshot.overview(ctx.snap)

left, middle, right = st.columns(3)
left.metric(ctx.t("data_through", date="").strip(), ctx.data_through.isoformat(), border=True)
middle.metric(ctx.t("first_date"), str(overview["first_date"] or "–"), border=True)
right.metric(ctx.t("calls_total"), readable.number(overview["calls"], 0, ctx.lang), border=True)
st.caption(ctx.t("built", built_at=values.get("built_at", "–"), build_id=values.get("build_id", "–")))

st.subheader(ctx.t("files"))
st.dataframe(headed(snapshot.ingested_files(ctx.snap)), hide_index=True, key="data_files")

st.subheader(ctx.t("health"))
findings = snapshot.data_health(ctx.snap)
if not findings:
    st.success(ctx.t("health_none"))
else:
    lang_index = 1 if ctx.lang == "en" else 0
    st.dataframe(
        headed(
            pl.DataFrame(
                {
                    "kind": [health.KIND_LABELS.get(f["kind"], (f["kind"],) * 2)[lang_index] for f in findings],
                    "severity": [ctx.t(f"severity_{f['severity']}") for f in findings],
                    "first_date": [f["first_date"] for f in findings],
                    "last_date": [f["last_date"] for f in findings],
                    "detail": [f["detail"] for f in findings],
                }
            )
        ),
        hide_index=True,
        key="data_health",
    )

st.subheader(ctx.t("rejected"))
reasons = snapshot.rejected_reasons(ctx.snap)
if reasons.is_empty():
    st.success(ctx.t("rejected_none"))
else:
    st.dataframe(headed(reasons), hide_index=True, key="data_rejected_reasons")
    rejected = snapshot.rejected_rows(ctx.snap)
    if rejected.height >= snapshot.REJECTED_ROWS_SHOWN:
        st.caption(ctx.t("rejected_cap", rows=readable.number(snapshot.REJECTED_ROWS_SHOWN, 0, ctx.lang)))
    st.dataframe(headed(rejected), hide_index=True, key="data_rejected_rows")

st.subheader(ctx.t("filtered"))
filtered = snapshot.filtered_reasons(ctx.snap)
if filtered.is_empty():
    st.success(ctx.t("filtered_none"))
else:
    st.dataframe(headed(filtered), hide_index=True, key="data_filtered")

st.subheader(ctx.t("settings"))
st.dataframe(
    headed(pl.DataFrame({"name": list(values), "value": [str(v) for v in values.values()]})),
    hide_index=True,
    key="data_settings",
)
