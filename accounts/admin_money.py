"""Admin for wallets and the ledger."""
