"""What a report kind sees while it runs: its parameters, its input, a log, and a place to write files."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path


class Interrupted(Exception):
    """The run was killed or ran out of time; raised from ``RunContext.check``."""


@dataclass
class OutputFile:
    role: str  # artefact, resource or data
    name: str
    path: Path
    format: str = ""
    description: str = ""


@dataclass
class RunContext:
    params: dict
    source: object
    workdir: Path
    log: Callable[[str], None] = print
    check: Callable[[], None] = lambda: None
    outputs: list[OutputFile] = field(default_factory=list)
    data_info: dict = field(default_factory=dict)

    def path(self, name: str) -> Path:
        path = self.workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def artefact(self, name: str, *, format: str, description: str) -> Path:
        """Where to write an artefact; it is stored when the run succeeds."""
        path = self.path(f"artefacts/{name}")
        self.outputs.append(OutputFile("artefact", name, path, format, description))
        return path

    def resource(self, name: str, content: str | bytes) -> None:
        path = self.path(f"resources/{name}")
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        self.outputs.append(OutputFile("resource", name, path))

    def write_table(self, path: Path, header: list[str], rows: Iterable[Iterable]) -> int:
        count = 0
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
        return count

    def data_path(self, name: str) -> Path:
        return self.path(f"data/{name}.csv")

    def add_data(self, name: str, path: Path) -> None:
        """A data set of the version (seed 003 ``data``): stored as CSV, served as CSV or (made on first
        request) as R's RDS."""
        self.outputs.append(OutputFile("data", name, path, "csv"))
        self.data_info = {"name": name, "csv_size": path.stat().st_size}

    def data(self, name: str, header: list[str], rows: Iterable[Iterable]) -> Path:
        path = self.data_path(name)
        self.write_table(path, header, rows)
        self.add_data(name, path)
        return path

    def artefact_copy(self, name: str, source: Path, *, format: str, description: str) -> None:
        """An artefact with the same bytes as a file already written (stored as a file of its own)."""
        self.outputs.append(OutputFile("artefact", name, source, format, description))

    def artefact_table(self, name: str, header, rows, *, description: str) -> Path:
        path = self.artefact(name, format="data", description=description)
        self.write_table(path, header, rows)
        return path

    def artefact_json_lines(self, name: str, objects: Iterable[dict], *, description: str) -> Path:
        path = self.artefact(name, format="data", description=description)
        with path.open("w", encoding="utf-8") as out:
            for item in objects:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
        return path
