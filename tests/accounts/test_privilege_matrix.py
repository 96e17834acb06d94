"""Who may administer whom, on every user-administration surface (accounts.policies, docs/security.md).

Each move is tried by a staff user who is not a superuser (refused, nothing changes) and by a superuser
(allowed), through the native API (/api/v1/), the Turkle API (/api/) and the Django admin (/admin/); and
both may still administer ordinary accounts on each.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.forms import MultiWidget
from django.test import Client

from accounts.models import ApiToken
from accounts.services import api_token_create
from tests.conftest import token_client
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "taken-over-pw"
PW = "long-enough-pw"


@dataclass
class World:
    actor: User
    root: User  # a superuser who is not the actor
    peer: User  # another staff user
    ordinary: User
    group: Group
    root_token: ApiToken
    ordinary_token: ApiToken

    def fresh(self, user: User) -> User:
        return User.objects.get(pk=user.pk)


@pytest.fixture(params=["staff", "superuser"])
def world(request):
    actor = UserFactory(is_staff=True, is_superuser=request.param == "superuser")
    # Staff who may use every admin page of users, groups and tokens: the rule must hold even so.
    actor.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["auth", "accounts"]))
    root = UserFactory(is_staff=True, is_superuser=True)
    root_token, _ = api_token_create(user=root, name="root's")
    ordinary = UserFactory()
    ordinary_token, _ = api_token_create(user=ordinary, name="worker's")
    return World(
        actor=actor,
        root=root,
        peer=UserFactory(is_staff=True),
        ordinary=ordinary,
        group=GroupFactory(),
        root_token=root_token,
        ordinary_token=ordinary_token,
    )


# What each move does when it is allowed.
EFFECTS = {
    "create a superuser": lambda w: User.objects.filter(username="root2", is_superuser=True).exists(),
    "create a staff user": lambda w: User.objects.filter(username="root2", is_staff=True).exists(),
    "make oneself superuser": lambda w: w.fresh(w.actor).is_superuser,
    "make an ordinary user staff": lambda w: w.fresh(w.ordinary).is_staff,
    "make an ordinary user superuser": lambda w: w.fresh(w.ordinary).is_superuser,
    "give oneself Django permissions": lambda w: w.fresh(w.actor).user_permissions.count() == 1,
    "give a group Django permissions": lambda w: w.group.permissions.exists(),
    "change a superuser's password": lambda w: w.fresh(w.root).check_password(NEW_PASSWORD),
    "deactivate a superuser": lambda w: not w.fresh(w.root).is_active,
    "delete a superuser": lambda w: not User.objects.filter(pk=w.root.pk).exists(),
    "delete a superuser from the list": lambda w: not User.objects.filter(pk=w.root.pk).exists(),
    "extend a superuser's token": lambda w: ApiToken.objects.get(pk=w.root_token.pk).name == "still mine",
    "change another staff account": lambda w: w.fresh(w.peer).first_name == "Mallory",
    "mint a token for a superuser": lambda w: ApiToken.objects.filter(user=w.root).count() == 2,
    "revoke a superuser's token": lambda w: not ApiToken.objects.filter(pk=w.root_token.pk).exists(),
    "put a superuser in a group": lambda w: w.group.user_set.filter(pk=w.root.pk).exists(),
    "create a group holding a superuser": lambda w: Group.objects.filter(name="admins", user=w.root).exists(),
    "put oneself in a group": lambda w: w.group.user_set.filter(pk=w.actor.pk).exists(),
}


# Native API: /api/v1/


def native(w, move, client):
    users = "/api/v1/users/"
    new = {"username": "root2", "password": "long-enough-pw"}
    calls = {
        "create a superuser": lambda: client.post(users, {**new, "is_superuser": True}, format="json"),
        "create a staff user": lambda: client.post(users, {**new, "is_staff": True}, format="json"),
        "make oneself superuser": lambda: client.patch(
            f"{users}{w.actor.pk}/", {"is_superuser": True}, format="json"
        ),
        "make an ordinary user staff": lambda: client.patch(
            f"{users}{w.ordinary.pk}/", {"is_staff": True}, format="json"
        ),
        "make an ordinary user superuser": lambda: client.patch(
            f"{users}{w.ordinary.pk}/", {"is_superuser": True}, format="json"
        ),
        "change a superuser's password": lambda: client.patch(
            f"{users}{w.root.pk}/", {"password": NEW_PASSWORD}, format="json"
        ),
        "deactivate a superuser": lambda: client.patch(
            f"{users}{w.root.pk}/", {"is_active": False}, format="json"
        ),
        "change another staff account": lambda: client.patch(
            f"{users}{w.peer.pk}/", {"first_name": "Mallory"}, format="json"
        ),
        "mint a token for a superuser": lambda: client.post(
            "/api/v1/tokens/", {"user": w.root.pk}, format="json"
        ),
        "revoke a superuser's token": lambda: client.delete(f"/api/v1/tokens/{w.root_token.pk}/"),
        "put a superuser in a group": lambda: client.patch(
            f"/api/v1/groups/{w.group.pk}/", {"users": [w.root.pk]}, format="json"
        ),
        "create a group holding a superuser": lambda: client.post(
            "/api/v1/groups/", {"name": "admins", "users": [w.root.pk]}, format="json"
        ),
        "put oneself in a group": lambda: client.patch(
            f"/api/v1/groups/{w.group.pk}/", {"users": [w.actor.pk]}, format="json"
        ),
    }
    return calls[move]()


# Turkle API: /api/ (no token endpoints)


def turkle(w, move, client):
    users = "/api/users/"
    new = {"username": "root2", "password": "long-enough-pw"}
    calls = {
        "create a superuser": lambda: client.post(users, {**new, "is_superuser": True}, format="json"),
        "create a staff user": lambda: client.post(users, {**new, "is_staff": True}, format="json"),
        "make oneself superuser": lambda: client.patch(
            f"{users}{w.actor.pk}/", {"is_superuser": True}, format="json"
        ),
        "make an ordinary user staff": lambda: client.patch(
            f"{users}{w.ordinary.pk}/", {"is_staff": True}, format="json"
        ),
        "make an ordinary user superuser": lambda: client.put(
            f"{users}{w.ordinary.pk}/",
            {"username": w.ordinary.username, "password": "long-enough-pw", "is_superuser": True},
            format="json",
        ),
        "change a superuser's password": lambda: client.patch(
            f"{users}{w.root.pk}/", {"password": NEW_PASSWORD}, format="json"
        ),
        "deactivate a superuser": lambda: client.patch(
            f"{users}{w.root.pk}/", {"is_active": False}, format="json"
        ),
        "change another staff account": lambda: client.patch(
            f"{users}{w.peer.pk}/", {"first_name": "Mallory"}, format="json"
        ),
        "put a superuser in a group": lambda: client.post(
            f"/api/groups/{w.group.pk}/users/", {"users": [w.root.pk]}, format="json"
        ),
        "create a group holding a superuser": lambda: client.post(
            "/api/groups/", {"name": "admins", "users": [w.root.pk]}, format="json"
        ),
        "put oneself in a group": lambda: client.post(
            f"/api/groups/{w.group.pk}/users/", {"users": [w.actor.pk]}, format="json"
        ),
    }
    return calls[move]()


# Django admin: /admin/


def change_form_data(client, url) -> dict:
    """What the admin's change page would post back unchanged (its form and inline formsets)."""
    page = client.get(url)
    assert page.status_code == 200
    data = {}

    def put(form):
        for name, field in form.fields.items():
            if field.disabled:
                continue
            key = form.add_prefix(name)
            value = form[name].value()
            if isinstance(field.widget, MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else part
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [getattr(v, "pk", v) for v in value]
            elif value is not None:
                data[key] = getattr(value, "pk", value)

    put(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.forms:
            put(form)
    return data


def admin_change(client, user, **changes):
    url = f"/admin/auth/user/{user.pk}/change/"
    # A user the actor may not change has a read-only page (or none): post what a forged form would.
    page = client.get(url)
    if page.status_code == 200 and "adminform" in page.context and page.context["has_change_permission"]:
        data = change_form_data(client, url)
    else:
        data = {"username": user.username, "is_active": "on" if user.is_active else ""}
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = "on" if value is True else value
    return client.post(url, data)


def admin(w, move, client):

    def create(**flags):
        # The add page takes a name and a password; the flags are set on the change page that follows.
        data = change_form_data(client, "/admin/auth/user/add/")
        data.update(username="root2", password1=PW, password2=PW, usable_password="true")
        response = client.post("/admin/auth/user/add/", data)
        assert response.status_code == 302
        return admin_change(client, User.objects.get(username="root2"), **flags)

    permission = Permission.objects.get(codename="view_user")
    calls = {
        "create a superuser": lambda: create(is_superuser=True),
        "create a staff user": lambda: create(is_staff=True),
        "make oneself superuser": lambda: admin_change(client, w.actor, is_superuser=True),
        "make an ordinary user staff": lambda: admin_change(client, w.ordinary, is_staff=True),
        "make an ordinary user superuser": lambda: admin_change(client, w.ordinary, is_superuser=True),
        "give oneself Django permissions": lambda: admin_change(
            client, w.actor, user_permissions=[permission.pk]
        ),
        "give a group Django permissions": lambda: client.post(
            f"/admin/auth/group/{w.group.pk}/change/",
            {
                **change_form_data(client, f"/admin/auth/group/{w.group.pk}/change/"),
                "permissions": [permission.pk],
            },
        ),
        "change a superuser's password": lambda: client.post(
            f"/admin/auth/user/{w.root.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        ),
        "deactivate a superuser": lambda: admin_change(client, w.root, is_active=False),
        "delete a superuser": lambda: client.post(f"/admin/auth/user/{w.root.pk}/delete/", {"post": "yes"}),
        "change another staff account": lambda: admin_change(client, w.peer, first_name="Mallory"),
        "mint a token for a superuser": lambda: client.post(
            "/admin/accounts/apitoken/add/", {"user": w.root.pk, "name": "mine now", "kind": "api"}
        ),
        "revoke a superuser's token": lambda: client.post(
            f"/admin/accounts/apitoken/{w.root_token.pk}/delete/", {"post": "yes"}
        ),
        "extend a superuser's token": lambda: client.post(
            f"/admin/accounts/apitoken/{w.root_token.pk}/change/",
            {"name": "still mine", "expires_at_0": "", "expires_at_1": ""},
        ),
        "delete a superuser from the list": lambda: client.post(
            "/admin/auth/user/", {"action": "delete_selected", "_selected_action": [w.root.pk], "post": "yes"}
        ),
        "put a superuser in a group": lambda: admin_change(client, w.root, groups=[w.group.pk]),
        "put oneself in a group": lambda: admin_change(client, w.actor, groups=[w.group.pk]),
    }
    return calls[move]()


SURFACES = {"native": native, "turkle": turkle, "admin": admin}
# The Turkle API has no token endpoints; Django permissions, deleting users and changing a token are the
# admin's alone.
ADMIN_ONLY = {
    "give oneself Django permissions",
    "give a group Django permissions",
    "delete a superuser",
    "delete a superuser from the list",
    "extend a superuser's token",
}
NOT_ON = {
    "native": ADMIN_ONLY,
    "turkle": ADMIN_ONLY | {"mint a token for a superuser", "revoke a superuser's token"},
    # The admin's group page has no members: they are set on each user's page.
    "admin": {"create a group holding a superuser"},
}
CASES = [
    pytest.param(surface, move, id=f"{surface}: {move}")
    for surface in SURFACES
    for move in EFFECTS
    if move not in NOT_ON[surface]
]


def snapshot():
    return (
        sorted(
            User.objects.values_list(
                "pk", "username", "password", "is_active", "is_staff", "is_superuser", "first_name"
            )
        ),
        sorted(ApiToken.objects.values_list("pk", "user_id")),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        sorted(User.user_permissions.through.objects.values_list("user_id", "permission_id")),
        sorted(Group.permissions.through.objects.values_list("group_id", "permission_id")),
    )


@pytest.mark.parametrize(("surface", "move"), CASES)
def test_only_a_superuser_administers_privileged_accounts(world, surface, move):
    # given staff who are not superusers, or a superuser
    if surface == "admin":
        client = Client()
        client.force_login(world.actor)
    else:
        client = token_client(world.actor)
    before = snapshot()
    # when the actor tries the move
    response = SURFACES[surface](world, move, client)
    # then a superuser may, and nobody else changes anything
    assert response.status_code < 500
    if world.actor.is_superuser:
        assert response.status_code in (200, 201, 302), response.content[:500]
        assert EFFECTS[move](world)
        return
    assert not EFFECTS[move](world)
    if surface != "admin":
        assert response.status_code == 403
        body = response.json()
        if surface == "native":
            assert body["errors"][0]["code"] == "superuser-only"
        assert "superuser" in str(body)
        # the refusal wrote nothing (the admin's own two-step create keeps its first step: a plain user)
        assert snapshot() == before


# The admin's own pages for these rules


def test_ones_own_password_in_the_admin_goes_to_the_page_that_asks_for_the_current_one():
    # given a superuser on the admin's "set password" form of their own account
    root = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    # when they open it or post a new password there
    opened = client.get(f"/admin/auth/user/{root.pk}/password/")
    posted = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    # then both go to the change-password page (which asks for the old one), and nothing changed
    assert (opened.status_code, opened["Location"]) == (302, "/admin/password_change/")
    assert posted.status_code == 302
    assert User.objects.get(pk=root.pk).check_password("correct-horse")


def test_a_token_cannot_be_made_already_expired_in_the_admin():
    root = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {
            "user": root.pk,
            "name": "late",
            "kind": "api",
            "expires_at_0": "2020-01-01",
            "expires_at_1": "00:00",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"expires_at": ["expires_at must be in the future."]}
    assert not ApiToken.objects.filter(name="late").exists()


# What staff may do: administer ordinary accounts, on every surface


ORDINARY_EFFECTS = {
    "set an ordinary user's password": lambda w: w.fresh(w.ordinary).check_password(NEW_PASSWORD),
    "deactivate an ordinary user": lambda w: not w.fresh(w.ordinary).is_active,
    "mint a token for an ordinary user": lambda w: ApiToken.objects.filter(user=w.ordinary).count() == 2,
    "revoke an ordinary user's token": lambda w: not ApiToken.objects.filter(pk=w.ordinary_token.pk).exists(),
    "put an ordinary user in a group": lambda w: w.group.user_set.filter(pk=w.ordinary.pk).exists(),
}


def ordinary_move(surface, w, move, client):
    o = w.ordinary
    native_users, turkle_users = f"/api/v1/users/{o.pk}/", f"/api/users/{o.pk}/"
    calls = {
        ("native", "set an ordinary user's password"): lambda: client.patch(
            native_users, {"password": NEW_PASSWORD}, format="json"
        ),
        ("turkle", "set an ordinary user's password"): lambda: client.patch(
            turkle_users, {"password": NEW_PASSWORD}, format="json"
        ),
        ("admin", "set an ordinary user's password"): lambda: client.post(
            f"/admin/auth/user/{o.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        ),
        ("native", "deactivate an ordinary user"): lambda: client.patch(
            native_users, {"is_active": False}, format="json"
        ),
        ("turkle", "deactivate an ordinary user"): lambda: client.patch(
            turkle_users, {"is_active": False}, format="json"
        ),
        ("admin", "deactivate an ordinary user"): lambda: admin_change(client, o, is_active=False),
        ("native", "mint a token for an ordinary user"): lambda: client.post(
            "/api/v1/tokens/", {"user": o.pk}, format="json"
        ),
        ("admin", "mint a token for an ordinary user"): lambda: client.post(
            "/admin/accounts/apitoken/add/", {"user": o.pk, "name": "support", "kind": "api"}
        ),
        ("native", "revoke an ordinary user's token"): lambda: client.delete(
            f"/api/v1/tokens/{w.ordinary_token.pk}/"
        ),
        ("admin", "revoke an ordinary user's token"): lambda: client.post(
            f"/admin/accounts/apitoken/{w.ordinary_token.pk}/delete/", {"post": "yes"}
        ),
        ("native", "put an ordinary user in a group"): lambda: client.patch(
            f"/api/v1/groups/{w.group.pk}/", {"users": [o.pk]}, format="json"
        ),
        ("turkle", "put an ordinary user in a group"): lambda: client.post(
            f"/api/groups/{w.group.pk}/users/", {"users": [o.pk]}, format="json"
        ),
        ("admin", "put an ordinary user in a group"): lambda: admin_change(client, o, groups=[w.group.pk]),
    }
    return calls[surface, move]()


ORDINARY_CASES = [
    pytest.param(surface, move, id=f"{surface}: {move}")
    for surface in SURFACES
    for move in ORDINARY_EFFECTS
    if not (surface == "turkle" and "token" in move)
]


@pytest.mark.parametrize(("surface", "move"), ORDINARY_CASES)
def test_staff_and_superusers_administer_ordinary_accounts(world, surface, move):
    # given staff (or a superuser) and an ordinary account
    if surface == "admin":
        client = Client()
        client.force_login(world.actor)
    else:
        client = token_client(world.actor)
    # when the actor administers it
    response = ordinary_move(surface, world, move, client)
    # then that is allowed
    assert response.status_code in (200, 201, 302), response.content[:500]
    assert ORDINARY_EFFECTS[move](world)
