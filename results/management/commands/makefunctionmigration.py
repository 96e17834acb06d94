"""Write a migration that brings the fast paths' PostgreSQL functions up to the code (``results.dbfunctions``)."""

from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from results import dbfunctions

# The tables the functions read and write belong to these apps: a new function migration comes after
# their latest migrations.
APPS = ("auth", "projects", "campaigns", "tasks", "results")

TEMPLATE = """from django.db import migrations

from crowdplatform.migration_operations import ReplaceFunction


class Migration(migrations.Migration):
    dependencies = [
{dependencies}
    ]

    operations = [
{operations}
    ]
"""


def _text(sql: str) -> str:
    if '"""' in sql or "\\" in sql:
        raise CommandError(
            "A function's text holds a triple quote or a backslash; write this migration by hand."
        )
    return '"""\n' + sql.strip() + '\n"""'


class Command(BaseCommand):
    help = (
        "Write a migration in results that creates or replaces the claim and submit functions that changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", default="replace_database_functions")
        parser.add_argument(
            "--check", action="store_true", help="Exit 1 if a migration is needed; write nothing."
        )

    def handle(self, *args, name, check, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The functions are PostgreSQL's: point DATABASE_URL at PostgreSQL.")
        latest, leaves = dbfunctions.functions_in_migrations()
        changed = {sig: sql for sig, sql in dbfunctions.rendered().items() if latest.get(sig) != sql}
        if not changed:
            self.stdout.write("The functions in the migrations are those of the code.")
            return
        if check:
            self.stdout.write(f"Changed: {', '.join(changed)}")
            raise SystemExit(1)
        dependencies = "\n".join(f"        {node!r}," for node in sorted(leaves) if node[0] in APPS)
        operations = "\n".join(
            f"        ReplaceFunction(\n            signature={sig!r},\n            sql={_text(sql)},\n"
            + (f"            previous={_text(latest[sig])},\n" if sig in latest else "")
            + "        ),"
            for sig, sql in changed.items()
        )
        directory = Path(apps.get_app_config("results").path) / "migrations"
        number = max(int(p.name[:4]) for p in directory.glob("[0-9][0-9][0-9][0-9]_*.py")) + 1
        path = directory / f"{number:04d}_{name}.py"
        path.write_text(TEMPLATE.format(dependencies=dependencies, operations=operations))
        self.stdout.write(f"Wrote {path}")
