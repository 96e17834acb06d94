"""Bundles (seed 003): a report packed with its definition, parameters and input data, to be run elsewhere
(``manage.py report_bundle_run``), and imported back with its outputs as a new version.

A completed bundle holds ``bundle.json`` (the definition) and ``output/manifest.json`` listing every output
file — ``{"role", "name", "format", "description", "size", "md5"}`` — stored at ``output/<role>/<name>``.
Everything is checked before anything is stored: names (no absolute paths, no ``..``), declared and actual
sizes (a member's uncompressed size is capped, so a zip bomb is refused unread), and md5 hashes.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import orjson
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from crowdplatform.errors import Forbidden, ValidationFailed

from .access import RUN, permissions_on
from .context import OutputFile, RunContext
from .kinds import kind_get
from .models import FileRole, Report, ReportVersion

FORMAT = "crowdplatform-report-bundle/1"
ROLES = {FileRole.ARTEFACT, FileRole.RESOURCE, FileRole.DATA, FileRole.DATA_RDS}


def bundle_pack(*, report: Report, params: dict | None = None) -> Path:
    """A zip file (in a temporary path the caller removes) with the definition and the input data."""
    values = kind_get(report.kind).parameters({**report.parameters, **(params or {})})
    handle = tempfile.NamedTemporaryFile(prefix="bundle-", suffix=".zip", delete=False)
    with handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "bundle.json",
            orjson.dumps(
                {
                    "format": FORMAT,
                    "report": {
                        "name": report.name,
                        "kind": report.kind,
                        "scope": report.scope,
                        "scope_id": report.scope_id,
                        "display_name": report.display_name,
                        "description": report.description,
                    },
                    "parameters": values,
                    "packed_at": timezone.now(),
                },
                option=orjson.OPT_INDENT_2,
            ),
        )
        # numpy and pandas are loaded by the request that packs, not when the web process starts.
        from .sources import DatabaseSource

        DatabaseSource(scope=report.scope, scope_id=report.scope_id).write_input(archive)
    return Path(handle.name)


def _bad(message: str, code: str = "bundle-invalid", field: str = "file") -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if not name or "\\" in name or path.is_absolute() or ".." in path.parts or any(ord(c) < 32 for c in name):
        raise _bad(f"The bundle holds an unsafe file name: {name!r}.", code="bundle-unsafe-path")
    return name


def _read_json(archive: zipfile.ZipFile, name: str, limit: int = 1 << 20):
    try:
        info = archive.getinfo(name)
    except KeyError as missing:
        raise _bad(f"The bundle has no {name}.", code="bundle-incomplete") from missing
    if info.file_size > limit:
        raise _bad(f"{name} is too large.", code="bundle-too-large")
    try:
        return orjson.loads(archive.read(info))
    except orjson.JSONDecodeError as bad:
        raise _bad(f"{name} is not valid JSON.") from bad


def _checked_copy(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int
) -> tuple[int, str]:
    """Copy a member out, refusing it as soon as it grows past ``limit`` (whatever its header claims)."""
    digest, size = hashlib.md5(usedforsecurity=False), 0
    with archive.open(info) as source, target.open("wb") as out:
        while chunk := source.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise _bad(f"{info.filename} is larger than {limit} bytes.", code="bundle-too-large")
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def bundle_import(*, user: User, archive: zipfile.ZipFile) -> ReportVersion:
    """Check a completed bundle and store its outputs as a new version of its report."""
    for name in archive.namelist():
        _safe_name(name)
    definition = _read_json(archive, "bundle.json")
    if not isinstance(definition, dict) or definition.get("format") != FORMAT:
        raise _bad("bundle.json is not a bundle of this platform.")
    name = (definition.get("report") or {}).get("name")
    report = Report.objects.filter(name=name).first() if isinstance(name, str) else None
    if report is None:
        raise _bad(f"The bundle's report {name!r} does not exist here.", code="unknown-report")
    if RUN not in permissions_on(user, report):
        raise Forbidden(f"Missing these permissions: report:{report.name}/{RUN}")
    manifest = _read_json(archive, "output/manifest.json")
    if not isinstance(manifest, list) or not manifest:
        raise _bad("output/manifest.json must list the output files.", code="bundle-incomplete")
    limit = settings.CROWD_REPORT_BUNDLE_MAX_FILE
    with tempfile.TemporaryDirectory(prefix="bundle-") as scratch:
        context = RunContext(params=definition.get("parameters") or {}, source=None, workdir=Path(scratch))
        for index, item in enumerate(manifest):
            where = f"output/manifest.json[{index}]"
            if (
                not isinstance(item, dict)
                or item.get("role") not in ROLES
                or not isinstance(item.get("name"), str)
            ):
                raise _bad(f"{where} needs a role ({', '.join(sorted(ROLES))}) and a name.", field=where)
            member = f"output/{item['role']}/{_safe_name(item['name'])}"
            try:
                info = archive.getinfo(member)
            except KeyError as missing:
                raise _bad(
                    f"{member} is listed but missing.", code="bundle-incomplete", field=where
                ) from missing
            if info.file_size > limit:
                raise _bad(f"{member} is larger than {limit} bytes.", code="bundle-too-large", field=where)
            target = context.path(f"{index}/{PurePosixPath(item['name']).name}")
            size, md5 = _checked_copy(archive, info, target, limit)
            if size != item.get("size") or md5 != item.get("md5"):
                raise _bad(
                    f"{member}: its size or md5 does not match the manifest.",
                    code="bundle-hash-mismatch",
                    field=where,
                )
            context.outputs.append(
                OutputFile(
                    item["role"],
                    item["name"],
                    target,
                    str(item.get("format", "")),
                    str(item.get("description", "")),
                )
            )
            if item["role"] == FileRole.DATA:
                context.data_info = {"name": item["name"], "csv_size": size}
        from .runner import save_version

        return save_version(
            report=report,
            context=context,
            parameters=definition.get("parameters") or {},
            changelog=[{"label": "internal", "value": "Imported from a bundle."}],
            requester=user.get_full_name() or user.username,
            author=user.username,
        )


def bundle_run(source_zip: Path, target_zip: Path) -> None:
    """Run a packed bundle here, offline, and write the completed bundle (what ``bundle_import`` takes)."""
    with zipfile.ZipFile(source_zip) as archive, tempfile.TemporaryDirectory(prefix="bundle-run-") as scratch:
        definition = orjson.loads(archive.read("bundle.json"))
        from .sources import BundleSource

        kind = kind_get(definition["report"]["kind"])
        context = RunContext(
            params=definition["parameters"], source=BundleSource(archive), workdir=Path(scratch)
        )
        kind.execute(context)
        manifest = []
        with zipfile.ZipFile(target_zip, "w", compression=zipfile.ZIP_DEFLATED) as out:
            out.writestr("bundle.json", archive.read("bundle.json"))
            for output in context.outputs:
                data = output.path.read_bytes()
                out.writestr(f"output/{output.role}/{output.name}", data)
                manifest.append(
                    {
                        "role": output.role,
                        "name": output.name,
                        "format": output.format,
                        "description": output.description,
                        "size": len(data),
                        "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
                    }
                )
            out.writestr("output/manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
