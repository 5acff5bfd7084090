"""One-click reports (一键报表): an enterprise's period report and the county summary, computed with
grouped queries (``data``) and rendered as PDF (``pdf``, Chinese font embedded) and Excel (``xlsx``)."""
