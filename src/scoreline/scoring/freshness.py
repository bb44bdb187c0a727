"""Whether the stored scores follow the scoring rules of this version of Scoreline.

Scores are stored results. When a version changes what a score means, the scores an older
version stored are no longer what this one computes from the same data, and nothing in
them says so. :data:`RULES` numbers those changes. The first scores a database stores
record the number they followed (:class:`~scoreline.scoring.models.ScoringRules`), a
full recompute records it again, and an upgrade (``scoreline migrate``, or ``make demo``
on an existing database) recomputes every score when the recorded number differs: scores
stored one value at a time under older rules would otherwise sit beside current ones.
Serving refuses stale scores rather than showing them.

Versions of the rules:

0. Scores stored before versions were recorded.
1. A month's coverage (values present against values expected) and its provisional,
   sufficient or complete state; the status of a score follows its score band unless the
   KPI has status rules; an objective with KPIs of its own and contributing objectives
   takes the policy's cascade share from the latter.
2. A summed subtree is formed only when every unit expected to report has (otherwise the
   unit has no value, unless its policy counts missing values as zero), and a unit's own
   value stands for its whole subtree instead of being added to its units' values.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from scoreline.scoring.models import ScoringRules

__all__ = [
    "RULES",
    "StaleScores",
    "note_rules",
    "record_rules",
    "refresh_if_stale",
    "require_current",
    "stale_rules",
]

#: The scoring rules of this version (see the module's list).
RULES = 2


class StaleScores(Exception):
    """The stored scores follow older scoring rules than this version's."""


def record_rules() -> None:
    """Record that the stored scores follow :data:`RULES` (after a full recompute)."""
    ScoringRules.objects.update_or_create(
        pk=1, defaults={"version": RULES, "computed_at": timezone.now()}
    )


def note_rules() -> None:
    """Record :data:`RULES` when no stored score has recorded its rules yet (a first store)."""
    ScoringRules.objects.get_or_create(
        pk=1, defaults={"version": RULES, "computed_at": timezone.now()}
    )


def stale_rules() -> int | None:
    """The version of the rules the stored scores follow when it is not :data:`RULES`;
    None when they are current or none were ever stored. An upgrade that clears the
    scores (to change how they are stored) leaves them marked with rules 0."""
    recorded = ScoringRules.objects.filter(pk=1).values_list("version", flat=True).first()
    if recorded is None or recorded == RULES:
        return None
    return int(recorded)


def refresh_if_stale(say: Callable[[str], object]) -> bool:
    """Recompute every score when the stored ones are stale; whether it did."""
    from scoreline.scoring.pipeline import recompute

    old = stale_rules()
    if old is None:
        return False
    say(f"The stored scores follow scoring rules {old}; recomputing them under rules {RULES}.")
    written = recompute()
    say(f"Recomputed and stored {written:,} scores.")
    return True


def require_current() -> None:
    """Refuse to go on with stale scores, saying how to bring them up to date."""
    old = stale_rules()
    if old is not None:
        raise StaleScores(
            f"the stored scores follow scoring rules {old} and this version uses rules "
            f"{RULES}; run `scoreline migrate` (it recomputes them) first"
        )
