"""Django admin for access control: administrators only, scoped to the units they administer.

Writes go through the access actions, so every grant and revocation is in the audit trail.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from scoreline.access.actions import do_grant_role, do_revoke_grant, do_revoke_token
from scoreline.access.capabilities import Capability
from scoreline.access.forms import ThrottledAdminAuthenticationForm
from scoreline.access.models import ApiToken, Grant, Role
from scoreline.access.scope import (
    AnyUser,
    capability_paths,
    holds_anywhere,
    holds_everywhere,
    holds_on_unit,
)
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.tree import subtrees_q
from scoreline.org.models import OrgUnit

__all__ = [
    "ReferenceDataAdmin",
    "ScopedAdmin",
    "administered_units",
    "may_administer",
]

M = TypeVar("M", bound=models.Model)

# The admin sign-in counts failures like the main sign-in page does.
admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = "Scoreline administration"
admin.site.site_title = "Scoreline administration"


def _is_superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False))


def may_administer(request: HttpRequest) -> bool:
    """Staff users who are superusers or hold the administer capability somewhere."""
    user = request.user
    return bool(
        user.is_active
        and getattr(user, "is_staff", False)
        and holds_anywhere(user, Capability.ADMINISTER)
    )


def administered_units(
    user: AnyUser, capability: Capability = Capability.ADMINISTER
) -> QuerySet[OrgUnit]:
    if _is_superuser(user):
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(subtrees_q(capability_paths(user, capability)))


class ScopedAdmin(admin.ModelAdmin[M]):
    """Open to administrators only; nothing is deleted from here unless a subclass says how.

    Actions raise ``Invalid`` or ``AccessDenied``; the whole save is then rolled back and the
    reason shown, instead of a server error.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_administer(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_administer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_administer(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_administer(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (Invalid, AccessDenied) as error:
            self.message_user(request, f"Nothing was saved: {error.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReferenceDataAdmin(ScopedAdmin[M]):
    """Data shared by the whole organisation: changed only by those who administer all of it.

    ``save_model`` is left to subclasses, which save through an audited action.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_administer(request) and holds_everywhere(request.user, Capability.ADMINISTER)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_administer(request) and holds_everywhere(request.user, Capability.ADMINISTER)


class RoleAdmin(ReferenceDataAdmin[Role]):
    list_display = ["name", "code", "builtin", "capability_list"]
    readonly_fields = ["code", "name", "builtin", "capability_list"]
    fields = ["code", "name", "builtin", "capability_list"]

    @admin.display(description="Capabilities")
    def capability_list(self, role: Role) -> str:
        labels = dict(Capability.choices)
        codes = role.capabilities.order_by("capability").values_list("capability", flat=True)
        return ", ".join(str(labels.get(code, code)) for code in codes)

    # Roles change what many people may see; they are installed by migrations, not edited here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GrantForm(forms.ModelForm[Grant]):
    class Meta:
        model = Grant
        fields = ["user", "role", "unit"]


class GrantAdmin(ScopedAdmin[Grant]):
    form = GrantForm
    list_display = ["user", "role", "unit", "granted_by", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__code", "unit__name"]
    list_select_related = ["user", "role", "unit", "granted_by"]
    actions = ["revoke_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Grant]:
        grants = super().get_queryset(request)
        if _is_superuser(request.user):
            return grants
        paths = capability_paths(request.user, Capability.MANAGE_ACCESS)
        return grants.filter(subtrees_q(paths, "unit__path"))

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "unit":
            kwargs["queryset"] = administered_units(request.user, Capability.MANAGE_ACCESS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # A grant is given or taken away, never edited: the audit trail keeps both events.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Grant | None = None) -> bool:
        if not may_administer(request):
            return False
        return obj is None or holds_on_unit(request.user, Capability.MANAGE_ACCESS, obj.unit)

    def save_model(self, request: HttpRequest, obj: Grant, form: Any, change: bool) -> None:
        grant = do_grant_role(request.user, obj.user, obj.role, obj.unit)
        obj.pk = grant.pk
        obj.created_at = grant.created_at

    def delete_model(self, request: HttpRequest, obj: Grant) -> None:
        do_revoke_grant(request.user, obj, reason="revoked in administration")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Grant]) -> None:
        with transaction.atomic():
            for grant in queryset.select_related("unit", "role"):
                do_revoke_grant(request.user, grant, reason="revoked in administration")

    @admin.action(description="Revoke the selected grants")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Grant]) -> None:
        try:
            self.delete_queryset(request, queryset)
        except AccessDenied as error:
            self.message_user(request, f"Nothing was revoked: {error.message}", messages.ERROR)
            return
        self.message_user(request, "The selected grants were revoked.", messages.SUCCESS)


class ApiTokenAdmin(ScopedAdmin[ApiToken]):
    """Tokens are created by their owners; here they are listed (digest only) and revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    fields = ["user", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_administer(request) and holds_everywhere(request.user, Capability.ADMINISTER)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Revoke the selected tokens")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        with transaction.atomic():
            for token in queryset.filter(revoked_at__isnull=True):
                do_revoke_token(request.user, token)
        self.message_user(request, "The selected tokens were revoked.", messages.SUCCESS)


admin.site.register(Role, RoleAdmin)
admin.site.register(Grant, GrantAdmin)
admin.site.register(ApiToken, ApiTokenAdmin)
