"""Reads of change requests, scoped to who may decide them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    capability_paths,
    holds_everywhere,
    is_active,
)
from scoreline.governance.models import ChangeRequest
from scoreline.lib.tree import subtrees_q

__all__ = ["change_requests_for"]


def change_requests_for(user: AnyUser) -> QuerySet[ChangeRequest]:
    """The requests ``user`` may see, whatever their state: those they filed or decided, and
    every request where they hold the approval right (its unit, or any unit with the right
    over the whole organisation). Pending ones among the last are the ones to decide."""
    if not is_active(user):
        return ChangeRequest.objects.none()
    own = Q(requested_by_id=user.pk) | Q(decided_by_id=user.pk)
    if holds_everywhere(user, Capability.APPROVE_CHANGE):
        approvable = Q(pk__isnull=False)  # every request
    else:
        paths = capability_paths(user, Capability.APPROVE_CHANGE)
        approvable = Q(unit__isnull=False) & subtrees_q(paths, "unit__path")
    return ChangeRequest.objects.filter(own | approvable).select_related(
        "unit", "requested_by", "decided_by"
    )
