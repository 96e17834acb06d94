"""Admin for wallets and the ledger: balances are read-only; money moves only through deposit/adjust."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from crowdplatform.admin_views import LookOnlyAdmin
from crowdplatform.errors import ApplicationError

from . import wallets
from .models import LedgerEntry, Wallet


class MoneyMovementForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("deposit", "Deposit (money paid in)"), ("adjust", "Adjustment (+ or −)")]
    )
    amount = forms.DecimalField(max_digits=16, decimal_places=2)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    # A fresh key per form: submitting the same form twice records the movement once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "available", "frozen", "commission_rate"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["kind", "user", "available", "frozen", "created_at"]
    fields = ["kind", "user", "available", "frozen", "commission_rate", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Only a user's wallet has a rate of its own (the platform's and the external wallets charge nothing).
        if obj is not None and obj.kind != Wallet.Kind.USER:
            return [*self.readonly_fields, "commission_rate"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # The service writes the rate alone (a full save would put back balances read before a concurrent
        # payment) and checks it as the API does.
        if "commission_rate" in form.changed_data:
            wallets.wallet_set_commission_rate(user=obj.user, rate=form.cleaned_data["commission_rate"])

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, f"Not saved: {exc.message}", messages.ERROR)
            return redirect(request.get_full_path())

    def get_urls(self):
        return [
            path("<int:pk>/move/", self.admin_site.admin_view(self.move_view), name="accounts_wallet_move"),
            *super().get_urls(),
        ]

    def move_view(self, request, pk):
        wallet = get_object_or_404(Wallet, pk=pk, kind=Wallet.Kind.USER)
        form = MoneyMovementForm(request.POST or None, initial={"idempotency_key": f"admin-{uuid.uuid4()}"})
        if request.method == "POST" and form.is_valid():
            service = (
                wallets.wallet_deposit if form.cleaned_data["kind"] == "deposit" else wallets.wallet_adjust
            )
            try:
                service(
                    user=wallet.user,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    by=request.user,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, "The movement was recorded.", messages.SUCCESS)
                return redirect(reverse("admin:accounts_wallet_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Move money: {wallet}",
            "form": form,
            "wallet": wallet,
        }
        return render(request, "admin/accounts/wallet/move.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LookOnlyAdmin):
    """The ledger is append-only: nothing is added, changed or deleted by hand."""

    list_display = [
        "id",
        "created_at",
        "kind",
        "amount",
        "from_wallet",
        "from_bucket",
        "to_wallet",
        "to_bucket",
        "campaign_id",
    ]
    list_filter = ["kind"]
    search_fields = ["idempotency_key", "reason"]
    list_select_related = ["from_wallet__user", "to_wallet__user"]
    date_hierarchy = "created_at"
