"""Scoreline: performance management from strategy to people."""

__version__ = "0.1.0"
