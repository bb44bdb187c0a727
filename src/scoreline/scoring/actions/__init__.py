"""Writes whose scores must follow them, one module per concern.

Each carries out a change prepared by the app that owns the data (:mod:`scoreline.kpis`,
:mod:`scoreline.strategy`, or scoring's own weights and policies) through the one change
protocol, then recomputes the scores the change alters before the transaction commits.
"""
