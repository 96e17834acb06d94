from django.contrib import admin  # noqa: F401

from . import admin_money  # noqa: F401,E402  (wallet and ledger admin)
