"""R's RDS copy of a data set, written with pyreadr the first time someone asks for it, then kept beside
the CSV (a derived file: the version's content does not change)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import IntegrityError, transaction

from .models import FileRole, VersionFile
from .storage import md5_of, open_stored, store


def rds_file(csv_file: VersionFile) -> VersionFile:
    found = VersionFile.objects.filter(
        version_id=csv_file.version_id, role=FileRole.DATA_RDS, name=csv_file.name
    ).first()
    if found is not None:
        return found
    import pandas
    import pyreadr

    with tempfile.TemporaryDirectory(prefix="rds-") as scratch:
        with open_stored(csv_file.file.name) as handle:
            frame = pandas.read_csv(handle, dtype=str, keep_default_na=False)
        path = Path(scratch) / f"{csv_file.name}.rds"
        pyreadr.write_rds(str(path), frame, compress="gzip")
        stored = store(path, csv_file.file.name.rsplit("/", 2)[0] + f"/data-rds/{csv_file.name}.rds")
        try:
            with transaction.atomic():
                return VersionFile.objects.create(
                    version_id=csv_file.version_id,
                    role=FileRole.DATA_RDS,
                    name=csv_file.name,
                    format="rds",
                    size=path.stat().st_size,
                    md5=md5_of(path),
                    file=stored,
                )
        except IntegrityError:  # made at the same moment by another request
            return VersionFile.objects.get(
                version_id=csv_file.version_id, role=FileRole.DATA_RDS, name=csv_file.name
            )
