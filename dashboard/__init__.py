"""The bureau dashboard: the one map, the township risk map, KPIs, rankings, outlet charts and source tracing."""
