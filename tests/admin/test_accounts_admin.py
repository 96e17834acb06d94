from django.urls import reverse

from accounts.models import ApiToken, PermissionGrant, PermissionName
from accounts.selectors import api_token_get_active
from accounts.services import hash_key
from tests.factories import GroupFactory, UserFactory


def test_token_created_in_the_admin_is_shown_once_and_stored_hashed(admin_client):
    worker = UserFactory()

    response = admin_client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": worker.pk, "name": "laptop", "kind": "api", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )

    token = ApiToken.objects.get(user=worker)
    (message,) = [str(m) for m in response.context["messages"] if "<code>" in str(m)]
    key = message.split("<code>")[1].split("</code>")[0]
    assert token.key_hash == hash_key(key)
    assert token.prefix == key[:8]
    assert token.name == "laptop"
    assert (
        key
        not in admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    )
    assert api_token_get_active(key=key) == token


def test_token_hash_and_owner_are_read_only(admin_client):
    worker = UserFactory()
    admin_client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": worker.pk, "name": "x", "kind": "api", "expires_at_0": "", "expires_at_1": ""},
    )
    token = ApiToken.objects.get(user=worker)

    response = admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))

    assert set(response.context["adminform"].form.fields) == {"name", "expires_at"}


def test_user_page_lists_grants_and_tokens_inline(admin_client):
    worker = UserFactory()
    PermissionGrant.objects.create(user=worker, name=PermissionName.PROJECTS_CREATE)

    response = admin_client.get(reverse("admin:auth_user_change", args=[worker.pk]))

    assert response.status_code == 200
    inlines = [formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]]
    assert inlines == ["PermissionGrant", "ApiToken"]


def test_grant_added_from_the_group_page(admin_client):
    group = GroupFactory()
    prefix = "permission_grants"

    response = admin_client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {
            "name": group.name,
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-name": PermissionName.RESULTS_REVIEW,
            f"{prefix}-0-scope": "project",
            f"{prefix}-0-scope_id": "7",
        },
    )

    assert response.status_code == 302
    grant = PermissionGrant.objects.get(group=group)
    assert (grant.name, grant.scope, grant.scope_id) == (PermissionName.RESULTS_REVIEW, "project", 7)


def test_inconsistent_grant_is_refused_with_nothing_saved(admin_client):
    worker = UserFactory()

    response = admin_client.post(
        reverse("admin:accounts_permissiongrant_add"),
        {"name": PermissionName.PROJECTS_READ, "scope": "project", "scope_id": "", "user": worker.pk},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert PermissionGrant.objects.count() == 0
