"""Version files in Django's storage (the file system by default, any django-storages backend by settings)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

CHUNK = 1 << 20


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def store(path: Path, name: str) -> str:
    """Save the local file ``path`` as ``name``; returns the stored name."""
    with path.open("rb") as handle:
        return default_storage.save(name, File(handle))


def open_stored(name: str):
    return default_storage.open(name, "rb")


def delete_stored(names) -> None:
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
