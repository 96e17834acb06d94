from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import LedgerEntry


class BalanceOutputSerializer(serializers.Serializer):
    available = serializers.DecimalField(max_digits=16, decimal_places=2)
    frozen = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()


class ProfileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    name = serializers.CharField()
    balance = BalanceOutputSerializer()
    commission_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    roles = serializers.ListField(child=serializers.CharField())


def _account(wallet, bucket) -> str:
    owner = f"user:{wallet.user_id}" if wallet.user_id else wallet.kind
    return f"{owner}/{bucket}"


class LedgerEntryOutputSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()
    destination = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "amount",
            "source",
            "destination",
            "reason",
            "campaign_id",
            "assignment_id",
            "idempotency_key",
            "created_at",
        ]

    @extend_schema_field(
        serializers.CharField(help_text="Account the money left: user:<id>/available, platform/…")
    )
    def get_source(self, entry) -> str:
        return _account(entry.from_wallet, entry.from_bucket)

    @extend_schema_field(serializers.CharField(help_text="Account the money went to."))
    def get_destination(self, entry) -> str:
        return _account(entry.to_wallet, entry.to_bucket)


class MoneyMovementInputSerializer(serializers.Serializer):
    amount = serializers.CharField(
        help_text="Decimal with at most two places; for adjust it may be negative."
    )
    reason = serializers.CharField(required=False, allow_blank=True)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=150)


class MoneyMovementOutputSerializer(serializers.Serializer):
    entry = LedgerEntryOutputSerializer()
    balance = BalanceOutputSerializer()
