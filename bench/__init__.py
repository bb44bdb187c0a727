"""Benchmarks of Scoreline, run with ``python -m bench`` (``make bench``).

Every figure is reported beside a baseline measured in the same run on the same machine,
as a ratio: the numbers say how much the real code path costs over the simplest possible
work of the same size, never whether a machine was fast enough.
"""
