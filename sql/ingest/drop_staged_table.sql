-- A polars adapter's staged rows, once `normalised` holds them.
drop table staged
