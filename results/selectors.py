"""Reads on assignments and results, scoped to the caller."""
