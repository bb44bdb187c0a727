"""The balanced-scorecard perspectives every installation starts with (more can be added)."""

from __future__ import annotations

__all__ = ["DEFAULT_PERSPECTIVES", "ESG_PERSPECTIVE"]

# code -> (name, description); installed in this order.
DEFAULT_PERSPECTIVES: dict[str, tuple[str, str]] = {
    "financial": ("Financial", "How do we look to shareholders?"),
    "customer": ("Customer", "How do customers see us?"),
    "internal-process": ("Internal process", "What must we excel at?"),
    "learning-growth": ("Learning and growth", "Can we continue to improve and create value?"),
}
ESG_PERSPECTIVE = ("esg", "Environmental, social and governance", "Are we a responsible company?")
