"""Append-only, hash-chained audit trail of every write that matters and of sensitive reads."""
