"""The calculation engine: pure, vectorised functions over numpy arrays.

Nothing here imports Django or any other part of Scoreline, reads files or keeps
state between calls; an import-linter contract enforces it. The application reaches
the engine through the scoring pipeline (``scoreline.scoring.pipeline``) and the KPI quality
reports.
"""
