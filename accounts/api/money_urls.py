from crowdplatform.api.routers import optional_slash

from . import money_views as views

urlpatterns = [
    *optional_slash("me", views.MeView.as_view(), name="me"),
    *optional_slash("ledger", views.LedgerListView.as_view(), name="ledger"),
    *optional_slash("wallets/<id:user_id>/deposit", views.WalletDepositView.as_view(), name="wallet-deposit"),
    *optional_slash("wallets/<id:user_id>/adjust", views.WalletAdjustView.as_view(), name="wallet-adjust"),
]
