"""The stored rows checked against the rules the actions enforce (``scoreline check``).

Rows reach the database through the actions, which refuse what breaks a rule; this package
finds rows that came another way (a bulk load, an old bug, an edit by hand) and still break
one. It reuses the rules the actions run, never restating them.
"""
