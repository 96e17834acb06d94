"""A zip written while it is sent: the archive goes to a sink that hands its bytes on chunk by chunk, so
memory holds one chunk, not the archive (zipfile writes data descriptors to a stream it cannot seek)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator

CHUNK = 1 << 16


class _Sink:
    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_chunks(members: list[tuple[str, str]], opener: Callable) -> Iterator[bytes]:
    """Zip ``members`` — (name in the archive, stored name) — reading each with ``opener``."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for arcname, stored in members:
            with opener(stored) as source, archive.open(arcname, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if sink.parts:
                        yield sink.take()
            yield sink.take()
    yield sink.take()
