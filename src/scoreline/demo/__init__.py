"""A deterministic, realistic demo enterprise: one seed, always the same organisation."""
