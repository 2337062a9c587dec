-- The callstats adapter's lazy view over the file, once `normalised` holds what it read.
drop view staged
