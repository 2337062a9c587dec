-- The SQL page's browser: the tables and views of the main schema with their columns, in the order
-- they were declared, with the descriptions the database itself carries (COMMENT ON …, written from
-- the view files' headers and sql/schema/tables.sql), so the page says what the DuckDB CLI and
-- DBeaver say. The analysts' views come before the internal base_* building blocks.
select
    c.table_name as relation,
    case when v.view_name is null then 'table' else 'view' end as kind,
    coalesce(v.comment, t.comment) as relation_comment,
    c.column_name,
    c.data_type,
    c.comment as column_comment,
    c.column_index
from duckdb_columns() as c
left join duckdb_views() as v
    on v.database_name = c.database_name and v.schema_name = c.schema_name and v.view_name = c.table_name
left join duckdb_tables() as t
    on t.database_name = c.database_name and t.schema_name = c.schema_name and t.table_name = c.table_name
where c.schema_name = 'main' and not c.internal
order by kind, starts_with(c.table_name, 'base_'), c.table_name, c.column_index
