# Approvals pay: every test here ends with the ledger equal to the balances, as the money tests do.
from tests.money.conftest import ledger_invariants_hold_after_the_test  # noqa: F401
