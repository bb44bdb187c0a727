"""The landing page: each persona lands on its own view."""
