from django.contrib.auth.models import User
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import wallets
from accounts.models import LedgerEntry, Wallet
from accounts.permissions import IsStaff
from accounts.selectors import balance_of, ledger_entry_list, profile_get
from accounts.services import profile_update
from crowdplatform.api.pagination import NativePagination
from crowdplatform.errors import NotFound, ValidationFailed

from .money_serializers import (
    LedgerEntryOutputSerializer,
    MoneyMovementInputSerializer,
    MoneyMovementOutputSerializer,
    ProfileOutputSerializer,
    ProfileUpdateInputSerializer,
)


def _profile_changes(data) -> dict:
    """The raw PATCH body, refused whole if it names a field one may not change here."""
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object of profile fields.", code="invalid-type")
    editable = ProfileUpdateInputSerializer().fields
    for field in sorted(set(data) - set(editable)):
        if field in ProfileOutputSerializer().fields:
            raise ValidationFailed(f"{field} cannot be changed here.", code="read-only-field", field=field)
        raise ValidationFailed(f"Unknown field {field}.", code="unknown-field", field=field)
    return data


@extend_schema(tags=["money"])
class MeView(APIView):
    @extend_schema(responses=ProfileOutputSerializer)
    def get(self, request):
        """Your profile (seed 004's profile fields) with your balance and commission rate."""
        return Response(ProfileOutputSerializer(profile_get(user=request.user)).data)

    @extend_schema(
        request=ProfileUpdateInputSerializer,
        responses={
            200: ProfileOutputSerializer,
            400: OpenApiResponse(
                description="invalid-url, invalid-phone, invalid, read-only-field (balance, commission_rate, "
                "customer_id, charity, …), unknown-field; nothing is changed."
            ),
        },
    )
    def patch(self, request):
        """Change your own profile fields; balances, commission rate, customer id and charity are read-only."""
        data = ProfileUpdateInputSerializer(data=_profile_changes(request.data), partial=True)
        data.is_valid(raise_exception=True)
        profile_update(user=request.user, **data.validated_data)
        return Response(ProfileOutputSerializer(profile_get(user=request.user)).data)


@extend_schema(
    tags=["money"],
    parameters=[OpenApiParameter("user", int, description="Staff only: another user's entries.")],
    responses=LedgerEntryOutputSerializer(many=True),
)
class LedgerListView(APIView):
    # Declared on the view (an APIView has none by default) so that the schema shows the paginated page.
    pagination_class = NativePagination

    def get(self, request):
        """Your ledger entries, newest first."""
        entries = ledger_entry_list(user=request.user, owner_id=request.query_params.get("user"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(LedgerEntryOutputSerializer(page, many=True).data)


_movement_errors = {
    400: OpenApiResponse(description="invalid-amount, reason-required, idempotency-key-required"),
    402: OpenApiResponse(description="An adjustment down below zero (insufficient-funds)."),
    404: OpenApiResponse(description="No such user."),
    409: OpenApiResponse(description="The idempotency key was used for another operation."),
}


class _MovementView(APIView):
    permission_classes = [IsStaff]
    service = None

    def post(self, request, user_id):
        target = User.objects.filter(pk=user_id).first()
        if target is None:
            raise NotFound("No such user.", code="user-not-found")
        data = MoneyMovementInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not values.get("idempotency_key"):
            raise ValidationFailed(
                "An idempotency_key is required.", code="idempotency-key-required", field="idempotency_key"
            )
        entry, created = type(self).service(
            user=target,
            amount=values["amount"],
            reason=values.get("reason", ""),
            idempotency_key=values["idempotency_key"],
            by=request.user,
        )
        entry = LedgerEntry.objects.select_related("from_wallet", "to_wallet").get(pk=entry.pk)
        body = {"entry": entry, "balance": balance_of(Wallet.objects.get(user=target))}
        return Response(
            MoneyMovementOutputSerializer(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(
    tags=["money"],
    request=MoneyMovementInputSerializer,
    responses={201: MoneyMovementOutputSerializer, 200: MoneyMovementOutputSerializer, **_movement_errors},
)
class WalletDepositView(_MovementView):
    """Staff: record money paid in by a user (a retry with the same key returns the first result, 200)."""

    service = staticmethod(wallets.wallet_deposit)


@extend_schema(
    tags=["money"],
    request=MoneyMovementInputSerializer,
    responses={201: MoneyMovementOutputSerializer, 200: MoneyMovementOutputSerializer, **_movement_errors},
)
class WalletAdjustView(_MovementView):
    """Staff: correct a user's available balance up or down, with a reason."""

    service = staticmethod(wallets.wallet_adjust)
