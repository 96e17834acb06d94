from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db.models import Q, QuerySet
from django.utils import timezone

from crowdplatform.errors import NotFound
from crowdplatform.sqlrows import Layout, Statement

from .keys import hash_key
from .models import ApiToken, LedgerEntry, PermissionGrant, Profile, Wallet
from .wallets import default_commission_rate

_TOKEN = Layout((ApiToken, "t"), (User, "u"))
_TOKEN_BY_HASH = Statement(
    f"SELECT {_TOKEN.columns} FROM accounts_apitoken t JOIN auth_user u ON u.id = t.user_id WHERE t.key_hash = %s"
)


def api_token_get_active(*, key: str) -> ApiToken | None:
    """The token with this key and its user, if both are still good. Runs on every API request, so the
    read is SQL text (see ``crowdplatform.sqlrows``)."""
    found = _TOKEN.fetch_one(_TOKEN_BY_HASH, [hash_key(key)])
    if found is None:
        return None
    token, token.user = found
    if not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token


def grants_for(user: User):
    """Every grant the user holds, directly or through a group."""
    return PermissionGrant.objects.filter(Q(user=user) | Q(group__in=user.groups.all()))


def user_has_permission(user: User, name: str, *, scope: str = "*", scope_id: int | None = None) -> bool:
    """Seed 003 rule: a requirement is met by the same name at global scope or the identical scope."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    condition = Q(scope=PermissionGrant.Scope.GLOBAL)
    if scope != PermissionGrant.Scope.GLOBAL:
        condition |= Q(scope=scope, scope_id=scope_id)
    return grants_for(user).filter(condition, name=name).exists()


def scoped_ids(user: User, names: list[str], scope: str) -> tuple[bool, list[int]]:
    """(holds any of ``names`` globally, ids of objects of ``scope`` where it holds one)."""
    rows = grants_for(user).filter(name__in=names).values_list("scope", "scope_id")
    is_global = any(s == PermissionGrant.Scope.GLOBAL for s, _ in rows)
    return is_global, [i for s, i in rows if s == scope]


def user_is_requester(user: User) -> bool:
    """A requester is staff, or holds any grant (global or scoped)."""
    if not user.is_authenticated:
        return False
    return user.is_staff or grants_for(user).exists()


def user_is_guest(user: User) -> bool:
    """A throw-away account of one browser session (``Profile.guest``), remembered on the user object so
    that one request asks the database at most once.

    A guest is made without a usable password (``guest_user_create``) and one given a password has become
    a real account, so a user with a password is told apart without a query (the claim's hot path)."""
    if not user.is_authenticated:
        return False
    guest = user.__dict__.get("_is_guest")
    if guest is None:
        guest = not user.has_usable_password() and (
            Profile.objects.filter(user_id=user.pk, guest=True).exists()
        )
        user.__dict__["_is_guest"] = guest
    return guest


def api_token_list(*, user: User, owner_id: int | None = None) -> QuerySet[ApiToken]:
    """The caller's own tokens; staff see everyone's (or one user's, with ``owner_id``)."""
    qs = ApiToken.objects.select_related("user")
    if not user.is_staff:
        return qs.filter(user=user)
    return qs.filter(user_id=owner_id) if owner_id is not None else qs


def api_token_get(*, user: User, pk: int) -> ApiToken:
    token = api_token_list(user=user).filter(pk=pk).first()
    if token is None:
        raise NotFound("No such token.", code="token-not-found")
    return token


def user_list(*, user: User) -> QuerySet[User]:
    """Staff see every account; anyone else only their own."""
    qs = User.objects.prefetch_related("groups").order_by("id")
    return qs if user.is_staff else qs.filter(pk=user.pk)


def user_get(*, user: User, pk: int) -> User:
    found = user_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such user.", code="user-not-found")
    return found


def group_list(*, user: User) -> QuerySet[Group]:
    """Staff see every group; anyone else the groups they belong to."""
    qs = Group.objects.prefetch_related("user_set").order_by("id")
    return qs if user.is_staff else qs.filter(user=user)


def group_get(*, user: User, pk: int) -> Group:
    found = group_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such group.", code="group-not-found")
    return found


def permission_grant_list() -> QuerySet[PermissionGrant]:
    return PermissionGrant.objects.select_related("user", "group").order_by("id")


def permission_grant_get(*, pk: int) -> PermissionGrant:
    grant = permission_grant_list().filter(pk=pk).first()
    if grant is None:
        raise NotFound("No such permission grant.", code="grant-not-found")
    return grant


def balance_of(wallet: Wallet | None) -> dict:
    return {
        "available": wallet.available if wallet else "0.00",
        "frozen": wallet.frozen if wallet else "0.00",
        "currency": settings.CROWD_CURRENCY,
    }


PROFILE_FIELDS = ("phone", "organization", "website", "logo", "customer_id", "charity")


def profile_get(*, user: User) -> dict:
    """The user's profile as ``/me/`` shows it: account, seed 004 profile fields, balances and roles."""
    wallet = Wallet.objects.filter(user=user).first()
    # Users who never changed their profile have no row: they show the defaults.
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    rate = wallet.commission_rate if wallet and wallet.commission_rate is not None else None
    roles = (
        ["worker"] + (["requester"] if user_is_requester(user) else []) + (["staff"] if user.is_staff else [])
    )
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.get_full_name() or user.username,
        **{field: getattr(profile, field) for field in PROFILE_FIELDS},
        "balance": balance_of(wallet),
        "commission_rate": rate if rate is not None else default_commission_rate(),
        "roles": roles,
    }


def ledger_entry_list(*, user: User, owner_id: str | int | None = None) -> QuerySet[LedgerEntry]:
    """Ledger entries of the user's wallet, newest first; staff may name another user by ``owner_id``."""
    owner = user
    if owner_id:
        if not user.is_staff:
            raise NotFound("No such user.", code="user-not-found", field="user")
        try:
            owner = User.objects.get(pk=int(owner_id))
        except (ValueError, User.DoesNotExist) as exc:
            raise NotFound("No such user.", code="user-not-found", field="user") from exc
    wallet_id = Wallet.objects.filter(user=owner).values_list("pk", flat=True).first()
    return (
        LedgerEntry.objects.filter(Q(from_wallet_id=wallet_id) | Q(to_wallet_id=wallet_id))
        .select_related("from_wallet", "to_wallet")
        .order_by("-id")
    )
