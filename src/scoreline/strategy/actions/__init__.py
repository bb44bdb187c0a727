"""Writes to the strategy, one module per noun: perspectives, themes, objectives, links and
workshops. Each runs in one transaction, checks the actor's right and records its audit event."""
