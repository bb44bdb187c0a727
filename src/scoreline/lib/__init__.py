"""Small shared helpers: environment, dates, trees, errors."""
