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
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.lib.tree import subtrees_q

__all__ = ["change_requests_for"]


def change_requests_for(user: AnyUser) -> QuerySet[ChangeRequest]:
    """The inbox: pending requests ``user`` may decide, and every request ``user`` filed."""
    if not is_active(user):
        return ChangeRequest.objects.none()
    own = Q(requested_by_id=user.pk)
    pending = Q(state=ChangeState.PENDING) & ~own
    if holds_everywhere(user, Capability.APPROVE_CHANGE):
        decidable = pending
    else:
        paths = capability_paths(user, Capability.APPROVE_CHANGE)
        decidable = pending & Q(unit__isnull=False) & subtrees_q(paths, "unit__path")
    return ChangeRequest.objects.filter(own | decidable).select_related(
        "unit", "requested_by", "decided_by"
    )
