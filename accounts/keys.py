"""How API keys are kept: only a hash of each, which both the writer and the reader of tokens compute."""

import hashlib


def hash_key(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()
