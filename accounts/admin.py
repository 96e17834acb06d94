from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from crowdplatform.errors import ApplicationError

from . import (
    admin_money,  # noqa: F401  (wallet and ledger admin)
    policies,
)
from .models import ApiToken, PermissionGrant, Profile
from .services import api_token_create, api_token_expiry_check


class ApiTokenInline(admin.TabularInline):
    """Tokens are created on the ApiToken page (where the key can be shown once); here they are listed."""

    model = ApiToken
    extra = 0
    fields = ("name", "kind", "prefix", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields
    can_delete = True
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each row prints the token's __str__, which names its user.
        return super().get_queryset(request).select_related("user")


class PermissionGrantInline(admin.TabularInline):
    model = PermissionGrant
    extra = 0
    fields = ("name", "scope", "scope_id", "created_at")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "group")


class PlatformUserAdmin(UserAdmin):
    inlines = [PermissionGrantInline, ApiTokenInline]
    search_fields = (*UserAdmin.search_fields, "profile__organization", "profile__customer_id")
    list_display = (
        "username",
        "is_active",
        "is_staff",
        "token_count",
        "grant_count",
        "email",
        "first_name",
        "last_name",
        "last_login",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _tokens=Count("api_tokens", distinct=True), _grants=Count("permission_grants", distinct=True)
            )
        )

    # Who may change whom is accounts.policies' rule: staff who are not superusers change ordinary
    # accounts and their own names, email and password; the privilege fields are shown, not editable.

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        fields += tuple(sorted(policies.SUPERUSER_FIELDS))
        if obj is not None and not policies.account_manage_allowed(actor=request.user, target=obj):
            fields += tuple(sorted(policies.STAFF_FIELDS))
        return fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or obj.pk == request.user.pk
            or policies.account_manage_allowed(actor=request.user, target=obj)
        )

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or policies.account_manage_allowed(actor=request.user, target=obj)

    def save_model(self, request, obj, form, change):
        # The form leaves out what the user may not change; this holds even if a form let more through.
        try:
            if change:
                before = User.objects.get(pk=obj.pk)
                policies.user_change_check(actor=request.user, target=before, fields=form.changed_data)
            else:
                policies.user_create_check(
                    actor=request.user, is_staff=obj.is_staff, is_superuser=obj.is_superuser
                )
        except ApplicationError as exc:
            raise PermissionDenied(exc.message) from exc
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        # One's own password changes on the page that asks for the current one, as the API does.
        if str(id) == str(request.user.pk):
            return HttpResponseRedirect(reverse("admin:password_change"))
        return super().user_change_password(request, id, form_url)

    @admin.display(description="tokens", ordering="_tokens")
    def token_count(self, obj):
        url = reverse("admin:accounts_apitoken_changelist") + f"?user__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj._tokens)

    @admin.display(description="grants", ordering="_grants")
    def grant_count(self, obj):
        url = reverse("admin:accounts_permissiongrant_changelist") + f"?user__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj._grants)


class GroupGrantInline(PermissionGrantInline):
    fk_name = "group"


class PlatformGroupAdmin(GroupAdmin):
    inlines = [GroupGrantInline]
    list_display = ("name", "member_count", "grant_count")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # A group's Django permissions reach its members: granting them is a superuser's (accounts.policies).
        return fields if request.user.is_superuser else (*fields, "permissions")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _members=Count("user", distinct=True), _grants=Count("permission_grants", distinct=True)
            )
        )

    @admin.display(description="members", ordering="_members")
    def member_count(self, obj):
        url = reverse("admin:auth_user_changelist") + f"?groups__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj._members)

    @admin.display(description="grants", ordering="_grants")
    def grant_count(self, obj):
        return obj._grants


admin.site.unregister(User)
admin.site.register(User, PlatformUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, PlatformGroupAdmin)


class ApiTokenAdminForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "kind", "expires_at")

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            try:
                if data.get("user") is not None:
                    policies.token_manage_check(actor=self.request_user, owner=data["user"])
                api_token_expiry_check(expires_at=data.get("expires_at"))
            except ApplicationError as exc:
                raise forms.ValidationError({exc.field: exc.message} if exc.field else exc.message) from exc
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenAdminForm
    list_display = ("__str__", "user", "name", "kind", "prefix", "created_at", "expires_at", "last_used_at")
    list_filter = ("kind", "created_at", "expires_at")
    search_fields = ("name", "prefix", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "kind", "expires_at")
        return ("user", "name", "kind", "prefix", "key_hash", "created_at", "expires_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Neither the owner nor the hash may change: a token is revoked and a new one created instead.
        return ("user", "kind", "prefix", "key_hash", "created_at", "last_used_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    # A token acts as its owner: changing (its expiry) or revoking one follows accounts.policies.

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or _token_manageable(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or _token_manageable(request.user, obj)
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = api_token_create(
            user=obj.user, name=obj.name, kind=obj.kind, expires_at=obj.expires_at, by=request.user
        )
        # The admin's own messages and redirects need the saved instance's primary key.
        obj.pk = token.pk
        obj.prefix, obj.key_hash, obj.created_at = token.prefix, token.key_hash, token.created_at
        messages.warning(
            request,
            format_html(
                "New token for {}: <code>{}</code> — copy it now, it is stored hashed and will not be "
                "shown again.",
                token.user,
                key,
            ),
        )


@admin.register(PermissionGrant)
class PermissionGrantAdmin(admin.ModelAdmin):
    list_display = ("name", "scope_label", "user", "group", "created_at")
    list_filter = ("name", "scope")
    search_fields = ("user__username", "group__name", "name")
    list_select_related = ("user", "group")
    raw_id_fields = ("user",)
    fields = ("name", "scope", "scope_id", "user", "group", "created_at")
    readonly_fields = ("created_at",)

    @admin.display(description="scope")
    def scope_label(self, obj):
        return obj.scope_label


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Seed 004's profile fields; staff also set the customer reference and the charity flag here."""

    list_display = ("user", "organization", "phone", "website", "customer_id", "charity", "updated_at")
    list_filter = ("charity",)
    search_fields = ("user__username", "user__email", "organization", "customer_id", "phone")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    fields = ("user", "phone", "organization", "website", "logo", "customer_id", "charity", "updated_at")
    readonly_fields = ("updated_at",)
    # As the API does: a bare host name is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        # A profile belongs to one user for good; users without one get it here or on their first change.
        return (*self.readonly_fields, "user") if obj else self.readonly_fields


def _token_manageable(actor: User, token: ApiToken) -> bool:
    try:
        policies.token_manage_check(actor=actor, owner=token.user)
    except ApplicationError:
        return False
    return True
