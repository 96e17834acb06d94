from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
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
    # Not EmailField: an account may have no address, and "" is no `format: email`.
    email = serializers.CharField(help_text="Email address, or empty if none is set.")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    organization = serializers.CharField(help_text="Name of your organization.")
    website = serializers.CharField(help_text="Your organization's website (a URL, or empty).")
    logo = serializers.CharField(help_text="URL of your logo, or empty.")
    customer_id = serializers.CharField(help_text="Your customer reference (set by staff).")
    charity = serializers.BooleanField(help_text="Whether yours is a charity account (set by staff).")
    balance = BalanceOutputSerializer()
    commission_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    roles = serializers.ListField(child=serializers.CharField())


class WebAddressField(serializers.CharField):
    """An http(s) URL; a bare host name such as seed 004's ``www.swarms.com`` is taken as https."""

    default_error_messages = {"invalid-url": "Enter a valid http or https URL."}

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, max_length=500, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            if not urlsplit(value).scheme:
                value = f"https://{value}"
            URLValidator(schemes=["http", "https"])(value)
        except (ValueError, ValidationError):
            self.fail("invalid-url")
        return value


class ProfileUpdateInputSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 ()./-]*$",
                "Enter a phone number: digits, spaces, ()./-.",
                code="invalid-phone",
            )
        ],
    )
    organization = serializers.CharField(required=False, allow_blank=True, max_length=200)
    website = WebAddressField(required=False)
    logo = WebAddressField(required=False)


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
    # The ledger's own bounds (16 digits, 2 places): a number beyond them is a 400 naming the field.
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text="Decimal with at most two places and 14 before the point; for adjust it may be negative.",
    )
    reason = serializers.CharField(required=False, allow_blank=True)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=150)


class MoneyMovementOutputSerializer(serializers.Serializer):
    entry = LedgerEntryOutputSerializer()
    balance = BalanceOutputSerializer()
