"""Run a packed report bundle here, without the platform's database, and write the completed bundle.

manage.py report_bundle_run labels-bundle.zip labels-completed.zip
curl -sf -H "Authorization: Bearer $TOKEN" -F file=@labels-completed.zip "$API/bundle/import/"
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.bundles import bundle_run


class Command(BaseCommand):
    help = "Run a packed report bundle (POST /api/v1/bundle/pack/<name>/) and write the completed bundle."

    def add_arguments(self, parser):
        parser.add_argument("bundle", type=Path)
        parser.add_argument("completed", type=Path)

    def handle(self, bundle: Path, completed: Path, **options):
        if not bundle.is_file():
            raise CommandError(f"No such file: {bundle}")
        bundle_run(bundle, completed)
        self.stdout.write(f"Completed bundle written to {completed}")
