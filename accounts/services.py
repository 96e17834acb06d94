import secrets
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from crowdplatform.errors import ApplicationError, ValidationFailed

from . import policies
from .keys import hash_key
from .models import ApiToken, PermissionGrant, Profile
from .selectors import api_token_get_active


def api_token_expiry_check(*, expires_at: datetime | None) -> None:
    """A token is created to be used: an expiry that has passed would make one that never works."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(
            "expires_at must be in the future.", code="expires-in-past", field="expires_at"
        )


def api_token_create(
    *,
    user: User,
    name: str = "",
    kind: str = ApiToken.Kind.API,
    expires_at: datetime | None = None,
    by: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the clear key, which is never stored.

    ``by`` is who asks (a token for another user acts as that user, see ``policies``); None is the
    platform itself (management commands, the login exchange).
    """
    if by is not None:
        policies.token_manage_check(actor=by, owner=user)
    api_token_expiry_check(expires_at=expires_at)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, kind=kind, prefix=key[:8], key_hash=hash_key(key), expires_at=expires_at
    )
    return token, key


def login_token_create(*, user: User) -> tuple[ApiToken, str]:
    expires_at = timezone.now() + settings.CROWD_LOGIN_TOKEN_TTL
    return api_token_create(user=user, name="login", kind=ApiToken.Kind.LOGIN, expires_at=expires_at)


def api_token_revoke(*, token: ApiToken, by: User | None) -> None:
    if by is not None:
        policies.token_manage_check(actor=by, owner=token.user)
    token.delete()


def permission_grant(
    *,
    name: str,
    user: User | None = None,
    group: Group | None = None,
    scope: str = PermissionGrant.Scope.GLOBAL,
    scope_id: int | None = None,
) -> PermissionGrant:
    grant, _ = PermissionGrant.objects.get_or_create(
        name=name, user=user, group=group, scope=scope, scope_id=scope_id
    )
    return grant


@transaction.atomic
def user_create(
    *,
    by: User | None,
    username: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    is_active: bool = True,
    groups: list[Group] | None = None,
) -> User:
    """Create an account; ``by`` (None: the platform itself) must be allowed to (see ``policies``)."""
    if by is not None:
        policies.user_create_check(actor=by, is_staff=is_staff, is_superuser=is_superuser)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_active=is_active,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if groups:
        user.groups.set(groups)
    return user


def guest_user_create() -> User:
    """A throw-away account for one browser session working on a campaign that needs no login (as Turkle)."""
    user = User(username=f"anon-{secrets.token_hex(8)}")
    user.set_unusable_password()
    user.save()
    Profile.objects.create(user=user, guest=True)
    user._is_guest = True
    return user


class LoginFailed(ApplicationError):
    status = 401
    code = "invalid-credentials"


class LoginThrottled(ApplicationError):
    status = 429
    code = "too-many-login-failures"


def _login_failures_key(client_ip: str) -> str:
    return f"accounts:login-failures:{client_ip}"


def login_failures_count(*, client_ip: str) -> int:
    return cache.get(_login_failures_key(client_ip), 0)


def login_failure_record(*, client_ip: str) -> int:
    """Count one failed login from ``client_ip``; the window starts with the first failure."""
    key = _login_failures_key(client_ip)
    # add() only sets a missing key, so the window is not extended by later failures.
    cache.add(key, 0, timeout=settings.CROWD_LOGIN_FAILURE_WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=settings.CROWD_LOGIN_FAILURE_WINDOW)
        return 1


def login_exchange(*, credential: str | None, client_ip: str) -> tuple[ApiToken, str]:
    """Exchange an API token for a short-lived bearer (login) token (seed 003 ``POST /login/``).

    Failed attempts are counted per client address; once ``CROWD_LOGIN_FAILURES_ALLOWED`` have failed
    within ``CROWD_LOGIN_FAILURE_WINDOW`` seconds, every attempt is refused until the window ends, even
    with a good credential, so guessing cannot continue in the background.
    """
    if login_failures_count(client_ip=client_ip) >= settings.CROWD_LOGIN_FAILURES_ALLOWED:
        raise LoginThrottled(
            "Too many failed logins from this address; try again later.",
            extra={"retry_after": settings.CROWD_LOGIN_FAILURE_WINDOW},
        )
    if not credential:
        # Not a guess: say what this login takes (clients used to password logins send a body instead).
        raise LoginFailed(
            "This login takes an API token in the Authorization header ('Authorization: token <API token>'), "
            "not a username and password; create one with POST /api/v1/tokens/ or manage.py create_token.",
            code="token-required",
        )
    token = api_token_get_active(key=credential)
    # A bearer token must not be able to renew itself indefinitely: only API tokens log in.
    if token is None or token.kind != ApiToken.Kind.API:
        login_failure_record(client_ip=client_ip)
        raise LoginFailed("The token is not valid.")
    return login_token_create(user=token.user)


def permission_revoke(*, grant: PermissionGrant) -> None:
    grant.delete()


def _scope_parse(scope: str) -> tuple[str, int | None]:
    """``*``, ``project:<id>``, ``campaign:<id>`` or ``report:<id>`` (seed 003 notation) → (scope, scope_id)."""
    if scope == PermissionGrant.Scope.GLOBAL:
        return PermissionGrant.Scope.GLOBAL, None
    kind, _, raw_id = scope.partition(":")
    if kind not in PermissionGrant.Scope.values or not raw_id.isdigit():
        raise ValidationFailed(
            "scope must be '*', 'project:<id>', 'campaign:<id>' or 'report:<id>'.",
            code="invalid-scope",
            field="scope",
        )
    return kind, int(raw_id)


@transaction.atomic
def permission_grant_scoped(
    *, name: str, scope: str, user: User | None = None, group: Group | None = None
) -> PermissionGrant:
    """Grant ``name`` at a scope written in seed 003 notation, checking that the scoped object exists."""
    if (user is None) == (group is None):
        raise ValidationFailed("Give either a user or a group.", code="one-holder-required", field="user")
    kind, scope_id = _scope_parse(scope)
    # The scoped apps sit above accounts: their models are looked up by label, as a foreign key names them.
    label = {
        PermissionGrant.Scope.PROJECT: "projects.Project",
        PermissionGrant.Scope.CAMPAIGN: "campaigns.Campaign",
        PermissionGrant.Scope.REPORT: "reports.Report",
    }
    model = apps.get_model(label[kind]) if kind in label else None
    if model is not None and not model.objects.filter(pk=scope_id).exists():
        raise ValidationFailed(f"There is no {kind} {scope_id}.", code="invalid-scope", field="scope")
    return permission_grant(name=name, user=user, group=group, scope=kind, scope_id=scope_id)


USER_FIELDS = {
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "password",
    "groups",
}


class CurrentPasswordIncorrect(ApplicationError):
    status = 400
    code = "current-password-incorrect"


def _changed_fields(user: User, values: dict) -> set[str]:
    changed = set()
    for key, value in values.items():
        if key == "password":
            changed.add(key)
        elif key == "groups":
            if {g.pk for g in value} != set(user.groups.values_list("pk", flat=True)):
                changed.add(key)
        elif getattr(user, key) != value:
            changed.add(key)
    return changed


@transaction.atomic
def user_update(*, by: User | None, user: User, current_password: str | None = None, **values) -> User:
    """Change an account. ``by`` (None: the platform itself) must be allowed to change each field whose
    value changes (see ``policies``), and one's own password changes only with the current password: a
    token that leaks must not become a password login."""
    unknown = set(values) - USER_FIELDS
    if unknown:
        raise ValidationFailed(
            f"Unknown field {sorted(unknown)[0]}.", code="unknown-field", field=sorted(unknown)[0]
        )
    if by is not None:
        policies.user_change_check(actor=by, target=user, fields=_changed_fields(user, values))
        if values.get("password") and by.pk == user.pk:
            if not current_password:
                raise ValidationFailed(
                    "Give your current password (current_password) to change it.",
                    code="current-password-required",
                    field="current_password",
                )
            if not user.check_password(current_password):
                raise CurrentPasswordIncorrect("The current password is not right.", field="current_password")
    groups = values.pop("groups", None)
    password = values.pop("password", None)
    for key, value in values.items():
        setattr(user, key, value)
    if password:
        user.set_password(password)
    user.save()
    if groups is not None:
        user.groups.set(groups)
    return user


@transaction.atomic
def group_create(*, by: User | None, name: str, users: list[User] | None = None) -> Group:
    if by is not None:
        policies.group_members_check(actor=by, changed=users or [])
    if Group.objects.filter(name=name).exists():
        raise ApplicationError(
            f"A group named '{name}' exists.", code="duplicate-name", status=409, field="name"
        )
    group = Group.objects.create(name=name)
    if users:
        group.user_set.set(users)
    return group


@transaction.atomic
def group_update(
    *, by: User | None, group: Group, name: str | None = None, users: list[User] | None = None
) -> Group:
    if by is not None:
        if users is None:
            policies.group_members_check(actor=by, changed=[])
        else:
            members = set(group.user_set.all())
            policies.group_members_check(
                actor=by, changed=sorted(members.symmetric_difference(users), key=lambda u: u.pk)
            )
    if name is not None and name != group.name:
        if Group.objects.filter(name=name).exclude(pk=group.pk).exists():
            raise ApplicationError(
                f"A group named '{name}' exists.", code="duplicate-name", status=409, field="name"
            )
        group.name = name
        group.save(update_fields=["name"])
    if users is not None:
        group.user_set.set(users)
    return group


# What a user may change of their own profile (PATCH /api/v1/me/): names and email live on the Django
# user, the rest on the profile row; customer_id and charity are set by staff only.
PROFILE_USER_FIELDS = ("email", "first_name", "last_name")
PROFILE_OWN_FIELDS = ("phone", "organization", "website", "logo")


@transaction.atomic
def profile_update(*, user: User, **changes: str) -> Profile:
    """Change the user's own profile fields; the profile row is created on the first change."""
    unknown = sorted(set(changes) - {*PROFILE_USER_FIELDS, *PROFILE_OWN_FIELDS})
    if unknown:
        raise ValidationFailed(f"Unknown field {unknown[0]}.", code="unknown-field", field=unknown[0])
    # Locked so that two edits of different fields at once cannot put back each other's old values.
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    user_changes = {key: value for key, value in changes.items() if key in PROFILE_USER_FIELDS}
    profile_changes = {key: value for key, value in changes.items() if key in PROFILE_OWN_FIELDS}
    if user_changes:
        for key, value in user_changes.items():
            setattr(user, key, value)
        user.save(update_fields=list(user_changes))
    if profile_changes:
        for key, value in profile_changes.items():
            setattr(profile, key, value)
        profile.save(update_fields=[*profile_changes, "updated_at"])
    return profile
