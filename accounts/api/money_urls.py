from django.urls import re_path

from . import money_views as views

urlpatterns = [
    re_path(r"^me/?$", views.MeView.as_view(), name="me"),
    re_path(r"^ledger/?$", views.LedgerListView.as_view(), name="ledger"),
    re_path(
        r"^wallets/(?P<user_id>\d+)/deposit/?$", views.WalletDepositView.as_view(), name="wallet-deposit"
    ),
    re_path(r"^wallets/(?P<user_id>\d+)/adjust/?$", views.WalletAdjustView.as_view(), name="wallet-adjust"),
]
