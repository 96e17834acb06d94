"""Reads on tasks, scoped to the caller."""
