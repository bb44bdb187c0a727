"""KPI architecture: definitions, formulas, rubrics, targets, status rules, values, scores and scorecards."""
