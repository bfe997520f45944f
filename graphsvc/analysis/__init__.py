"""Analyses: pure functions of a networkx graph (the projection), one topic per module.

Graph conventions (see graphsvc/projection.py): a ``MultiDiGraph`` whose node attributes are
``type`` plus the node's properties and ``updated_at``; edges are keyed by relationship id and carry
``type`` plus the relationship's properties. No module here imports Flask or a store.
"""
