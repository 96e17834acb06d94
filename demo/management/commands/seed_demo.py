"""Demo data for the quick start. Safe to run again: it brings the data back to the same shape."""

import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import ApiToken, PermissionName, Wallet
from accounts.services import api_token_create, permission_grant, user_create
from accounts.wallets import wallet_deposit
from campaigns import services as campaign_services
from campaigns.models import Campaign
from projects.models import Project
from projects.services import project_create
from reports.demo import seed_demo_reports
from tasks.demo import demo_component_campaign_ensure
from tasks.ingest import tasks_ingest_csv

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
TOKEN_NAME = "quickstart"
PROJECT_NAME = "Does this picture contain it?"
CAMPAIGN_NAME = "Pictures, first batch"
# Demo money, so that freeze → approve → paid can be seen at once: a deposit for the requester (made once,
# by its fixed key) and a payment per result for the demo campaign, whose budget publishing freezes.
DEMO_DEPOSIT = Decimal("100.00")
DEMO_DEPOSIT_KEY = "seed-demo-requester-deposit"
DEMO_PAYMENT = Decimal("0.50")

# Fixed, printed passwords: this is local demo data, never a production account.
ACCOUNTS = [
    # username, password, staff+superuser, role
    ("admin", "admin-demo-pass", True, "admin"),
    ("requester", "requester-demo-pass", False, "requester"),
    ("worker1", "worker1-demo-pass", False, "worker"),
    ("worker2", "worker2-demo-pass", False, "worker"),
]


def _ensure_user(username: str, password: str, superuser: bool) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            by=None,
            username=username,
            password=password,
            email=f"{username}@example.org",
            is_staff=superuser,
            is_superuser=superuser,
        )
    else:
        # Put back what a previous demo session may have changed, so the printed logins work.
        user.set_password(password)
        user.is_active = True
        user.is_staff = user.is_superuser = superuser
        user.save()
    return user


class Command(BaseCommand):
    help = "Create or refresh the quick-start demo data and print logins and fresh API tokens."

    def add_arguments(self, parser):
        parser.add_argument(
            "--summary-file",
            default=str(Path(settings.VAR_DIR) / "quickstart.txt"),
            help="Also write the printed logins and tokens here (readable by the owner only).",
        )
        parser.add_argument(
            "--base-url",
            default=f"http://127.0.0.1:{os.environ.get('PORT') or 8000}",
            help="Where the platform answers; printed as BASE_URL in the export line for the walkthrough.",
        )

    def handle(self, *args, summary_file: str, **options):
        with transaction.atomic():
            users, keys = {}, {}
            for username, password, superuser, _ in ACCOUNTS:
                users[username] = _ensure_user(username, password, superuser)
            permission_grant(name=PermissionName.PROJECTS_CREATE, user=users["requester"])
            for username, user in users.items():
                # Keys are stored hashed and cannot be shown again, so each run replaces the demo token.
                ApiToken.objects.filter(user=user, name=TOKEN_NAME).delete()
                _, keys[username] = api_token_create(user=user, name=TOKEN_NAME)
            wallet_deposit(
                user=users["requester"],
                amount=DEMO_DEPOSIT,
                reason="Demo funds (seed_demo)",
                idempotency_key=DEMO_DEPOSIT_KEY,
            )
            project = self._project(users["requester"])
            campaign = self._campaign(project, users["requester"])
            wallet = Wallet.objects.get(user=users["requester"])
            reports = seed_demo_reports(project=project, requester=users["requester"])
            components = demo_component_campaign_ensure(requester=users["requester"])

        lines = ["Logins (password) and API tokens (Authorization: Token <key>):"]
        for username, password, _, role in ACCOUNTS:
            lines.append(f"  {role:<9} {username:<9} password {password:<20} token {keys[username]}")
        lines.append(
            f"Requester's wallet: {wallet.available} available, {wallet.frozen} frozen in campaign budgets; "
            f"the demo campaign pays {campaign.payment_per_result} per approved result."
        )
        lines.append(
            f"Demo project #{project.pk} “{project.name}”, campaign #{campaign.pk} “{campaign.name}” "
            f"({campaign.state}, {campaign.tasks_count} tasks)."
        )
        lines.append("Reports with a published version: " + ", ".join(r.name for r in reports) + ".")
        lines.append(
            f"Demo component campaign #{components.pk} “{components.name}” ({components.state}, "
            f"{components.tasks_count} job of two screens)."
        )
        exports = " ".join(f"{u.upper()}_TOKEN={keys[u]}" for u, *_ in ACCOUNTS)
        base_url = options["base_url"].rstrip("/")
        lines.append(
            f"Swarms API: POST {base_url}/swarms/auth/token/request with"
            ' {"email": "requester@example.org", "password": "requester-demo-pass"}, then X-Auth-Token;'
            f" docs at {base_url}/swarms/docs/."
        )
        lines.append(
            f"For the curl walkthrough: export BASE_URL={base_url} {exports} CAMPAIGN_ID={campaign.pk}"
        )
        text = "\n".join(lines) + "\n"
        self.stdout.write(text, ending="")
        if summary_file:
            path = Path(summary_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)
            path.write_text(text)

    def _project(self, owner: User) -> Project:
        project = Project.objects.filter(owner=owner, name=PROJECT_NAME).first()
        if project is not None:
            return project
        return project_create(
            owner=owner,
            name=PROJECT_NAME,
            description="Look at a picture and say whether it shows the named object.",
            html_template=(DEMO_DIR / "image_contains.html").read_text(),
            template_filename="image_contains.html",
            default_results_per_task=2,
            default_time_allowed_s=600,
        )

    def _campaign(self, project: Project, requester: User) -> Campaign:
        campaign = Campaign.objects.filter(project=project, name=CAMPAIGN_NAME).first()
        if campaign is not None:
            return campaign
        campaign = campaign_services.campaign_create(
            project=project,
            created_by=requester,
            name=CAMPAIGN_NAME,
            filename="image_contains.csv",
            payment_per_result=DEMO_PAYMENT,
        )
        with open(DEMO_DIR / "image_contains.csv", "rb") as stream:
            tasks_ingest_csv(
                campaign=campaign, stream=stream, created_by=requester, filename="image_contains.csv"
            )
        campaign = campaign_services.campaign_publish(campaign=campaign)
        campaign.refresh_from_db()
        return campaign
