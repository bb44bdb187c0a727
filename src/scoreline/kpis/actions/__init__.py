"""Writes to the KPI catalogue, one module per noun: definitions, rubrics, statuses, targets,
status rules, measures and values.

Definitions are effective-dated versions. A change to one that already exists and that would
alter an open planning period goes through a change request instead (``Invalid`` code
``change_request_required``); one that would alter a closed period is refused
(``period_closed``). Each governed change is a :class:`~scoreline.planning.changes.Change`
prepared here; :mod:`scoreline.scoring.actions` carries it out and rescores what it alters,
and an approved change request (:mod:`scoreline.governance`) applies the very same object.
"""
