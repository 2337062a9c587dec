"""SQL – the analyst's page: an editor with example queries, a read-only, time-limited run, the
result with a CSV download, and a browser of the tables and views with their columns."""

from __future__ import annotations

import streamlit as st

from dashboard import snapshot, tables, ui
from dashboard.i18n import relation_help
from pipeline import readable

ctx = ui.context()
ui.page_header(ctx, "sql_title")
st.caption(
    ctx.t(
        "sql_intro",
        timeout=readable.number(snapshot.SQL_TIMEOUT_S, 0, ctx.lang),
        rows=readable.number(snapshot.SQL_MAX_ROWS, 0, ctx.lang),
    )
)
examples = snapshot.examples()


def use_example() -> None:
    st.session_state["sql_text"] = examples[st.session_state["sql_example"]].sql


def run() -> None:
    text = st.session_state.get("sql_text", "").strip()
    if not text:
        st.session_state["sql_outcome"] = ("empty", None)
        return
    try:
        result = snapshot.run_sql(ctx.snap, text, timeout_s=snapshot.SQL_TIMEOUT_S, max_rows=snapshot.SQL_MAX_ROWS)
        st.session_state["sql_outcome"] = ("ok", result)
    except snapshot.SqlRefused as exc:
        st.session_state["sql_outcome"] = ("refused", str(exc))
    except snapshot.QueryTimeout:
        st.session_state["sql_outcome"] = ("timeout", None)
    except snapshot.SqlFailed as exc:
        st.session_state["sql_outcome"] = ("failed", str(exc))


editor, browser = st.columns([3, 2])
with editor:
    with st.expander(ctx.t("sql_examples"), expanded=False):
        st.selectbox(
            ctx.t("sql_examples"),
            range(len(examples)),
            key="sql_example",
            format_func=lambda i: examples[i].title(ctx.lang),
            label_visibility="collapsed",
        )
        st.button(ctx.t("sql_use_example"), key="sql_use_example", on_click=use_example)
    if "sql_text" not in st.session_state:
        st.session_state["sql_text"] = examples[0].sql if examples else ""
    st.text_area(ctx.t("sql_editor"), key="sql_text", height=220)
    st.button(ctx.t("sql_run"), key="sql_run", type="primary", on_click=run, icon=":material/play_arrow:")

    kind, outcome = st.session_state.get("sql_outcome", (None, None))
    if kind == "ok" and isinstance(outcome, snapshot.SqlResult):
        st.caption(
            ctx.t(
                "sql_rows",
                rows=readable.number(outcome.frame.height, 0, ctx.lang),
                seconds=readable.number(outcome.seconds, 2, ctx.lang),
            )
        )
        if outcome.truncated_by == "bytes":
            st.warning(
                ctx.t(
                    "sql_truncated_bytes",
                    rows=readable.number(outcome.frame.height, 0, ctx.lang),
                    mb=readable.number(snapshot.SQL_MAX_BYTES / 1e6, 0, ctx.lang),
                )
            )
        elif outcome.truncated:
            st.warning(ctx.t("sql_truncated", rows=readable.number(snapshot.SQL_MAX_ROWS, 0, ctx.lang)))
        st.dataframe(outcome.frame, hide_index=True, key="sql_result")
        st.download_button(
            ctx.t("download_csv"),
            tables.csv_bytes(outcome.frame),
            file_name="fraga.csv",
            mime="text/csv",
            key="sql_csv",
            on_click="ignore",
            icon=":material/download:",
        )
    elif kind == "refused":
        st.error(ctx.t("sql_refused", kind=ui.plain(outcome)))
    elif kind == "timeout":
        st.error(ctx.t("sql_timeout", timeout=readable.number(snapshot.SQL_TIMEOUT_S, 0, ctx.lang)))
    elif kind == "failed":
        st.error(ctx.t("sql_error", message=ui.plain(outcome)))
    elif kind == "empty":
        st.info(ctx.t("sql_empty"))

with browser:
    st.subheader(ctx.t("sql_browser"))
    catalog = snapshot.catalog(ctx.snap)
    for (relation, kind_of), columns in catalog.group_by(["relation", "kind"], maintain_order=True):
        with st.expander(f"{relation} · {kind_of}"):
            st.caption(relation_help(str(relation), ctx.lang, columns["relation_comment"][0]))
            st.dataframe(
                columns.select(["column_name", "data_type", "column_comment"]).rename(
                    {
                        "column_name": ctx.t("col_column"),
                        "data_type": ctx.t("col_type"),
                        "column_comment": ctx.t("col_description"),
                    }
                ),
                hide_index=True,
                key=f"catalog_{relation}",
            )
