"""Rules for values the platform stores in JSON columns."""


def holds_nul(value) -> bool:
    """Whether a JSON value holds a NUL character in a string or a key: PostgreSQL's ``jsonb`` refuses it,
    so such input is turned away with a 400 before it reaches the database."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False
