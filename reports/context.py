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

    def data(self, name: str, header: list[str], rows: Iterable[Iterable]) -> Path:
        """A data set of the version (seed 003 ``data``): stored as CSV, served as CSV or RDS."""
        path = self.path(f"data/{name}.csv")
        self.write_table(path, header, rows)
        self.outputs.append(OutputFile("data", name, path, "csv"))
        self.data_info = {"name": name, "csv_size": path.stat().st_size}
        return path

    def add_rds_copies(self) -> None:
        """R's RDS beside each data set (OrderlyWeb's users work in R), written with pyreadr."""
        import pandas
        import pyreadr

        for output in [o for o in self.outputs if o.role == "data"]:
            rds = output.path.with_suffix(".rds")
            frame = pandas.read_csv(output.path, dtype=str, keep_default_na=False)
            pyreadr.write_rds(str(rds), frame, compress="gzip")
            self.outputs.append(OutputFile("data-rds", output.name, rds, "rds"))
            if self.data_info.get("name") == output.name:
                self.data_info["rds_size"] = rds.stat().st_size

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
