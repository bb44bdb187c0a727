"""Data the tests build: the shared test organisation and the worlds built on top of it."""
