import pytest

from .invariants import assert_money_invariants


@pytest.fixture(autouse=True)
def ledger_invariants_hold_after_the_test(db):
    """Every money test ends with the ledger equal to the balances (see ``invariants``)."""
    yield
    assert_money_invariants()
