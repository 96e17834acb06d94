"""Who may administer which account: the one rule behind every user, group and token surface.

A *privileged* account is a staff or superuser account. Superusers may do anything. Staff administer
ordinary accounts only: create them, change them, deactivate them, set their groups, issue and revoke
their tokens. Only a superuser may do any of that to a privileged account (another's or, for the
fields only staff may set, one's own), or set ``is_staff``, ``is_superuser`` or Django permissions on
anyone. Everyone may change their own names, email and password, and create and revoke their own tokens.

The services call the ``*_check`` functions, which raise; the admin asks ``account_manage_allowed`` to
decide what it shows. See docs/security.md.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User

from crowdplatform.errors import Forbidden

# Fields only staff may set, and only on accounts they administer.
STAFF_FIELDS = frozenset({"is_active", "groups"})
# Fields only a superuser may set, on anyone.
SUPERUSER_FIELDS = frozenset({"is_staff", "is_superuser", "user_permissions"})


class StaffOnly(Forbidden):
    code = "staff-only"


class SuperuserOnly(Forbidden):
    code = "superuser-only"


def is_privileged(user: User) -> bool:
    return user.is_staff or user.is_superuser


def account_manage_allowed(*, actor: User, target: User) -> bool:
    """May ``actor`` administer ``target``'s account (its staff fields, its tokens, its groups)?"""
    if actor.is_superuser:
        return True
    return actor.is_staff and not is_privileged(target)


def user_create_check(*, actor: User, is_staff: bool = False, is_superuser: bool = False) -> None:
    if not actor.is_staff:
        raise StaffOnly("Only staff may create users.")
    for field, value in (("is_staff", is_staff), ("is_superuser", is_superuser)):
        if value and not actor.is_superuser:
            raise SuperuserOnly(f"Only a superuser may set {field}.", field=field)


def user_change_check(*, actor: User, target: User, fields: Iterable[str]) -> None:
    """Refuse unless ``actor`` may change these ``fields`` (the ones whose value changes) of ``target``."""
    fields = sorted(set(fields))
    for field in fields:
        if field in SUPERUSER_FIELDS and not actor.is_superuser:
            raise SuperuserOnly(f"Only a superuser may change {field}.", field=field)
    if account_manage_allowed(actor=actor, target=target):
        return
    if target.pk == actor.pk:
        for field in fields:
            if field in STAFF_FIELDS:
                if not actor.is_staff:
                    raise StaffOnly(f"Only staff may change {field}.", field=field)
                raise SuperuserOnly(f"Only a superuser may change {field} of a staff account.", field=field)
        return
    if fields and not actor.is_staff:
        raise StaffOnly("Only staff may change other users' accounts.")
    if fields:
        raise SuperuserOnly("Only a superuser may change a staff or superuser account.")


def token_manage_check(*, actor: User, owner: User) -> None:
    """Issuing or revoking a token of ``owner``: one's own always; another's acts as them."""
    if owner.pk == actor.pk or account_manage_allowed(actor=actor, target=owner):
        return
    if not actor.is_staff:
        raise StaffOnly("Only staff may manage the tokens of other users.", field="user")
    raise SuperuserOnly(
        "Only a superuser may manage the tokens of a staff or superuser account.", field="user"
    )


def group_members_check(*, actor: User, changed: Iterable[User]) -> None:
    """Adding users to a group or taking them out changes their accounts (a group may carry permissions)."""
    if not actor.is_staff:
        raise StaffOnly("Only staff may change groups.")
    for user in changed:
        if not account_manage_allowed(actor=actor, target=user):
            raise SuperuserOnly(
                f"Only a superuser may add {user.username} to a group or take them out: a staff or "
                "superuser account.",
                field="users",
            )
