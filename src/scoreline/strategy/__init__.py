"""Strategy: perspectives, themes, objectives, the cascade, the strategy map and priority workshops."""
