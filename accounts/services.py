import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, PermissionGrant


def hash_key(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str = "", kind: str = ApiToken.Kind.API, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the clear key, which is never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, kind=kind, prefix=key[:8], key_hash=hash_key(key), expires_at=expires_at
    )
    return token, key


def login_token_create(*, user: User) -> tuple[ApiToken, str]:
    expires_at = timezone.now() + settings.CROWD_LOGIN_TOKEN_TTL
    return api_token_create(user=user, name="login", kind=ApiToken.Kind.LOGIN, expires_at=expires_at)


def api_token_revoke(*, token: ApiToken) -> None:
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
