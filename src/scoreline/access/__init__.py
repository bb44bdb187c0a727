"""Access control: capabilities, roles, scoped grants, API tokens and the visible_to(user) rule."""
