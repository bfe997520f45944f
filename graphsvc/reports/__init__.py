"""Reports for the governance group: pure builders over the projection graph (no Flask)."""
