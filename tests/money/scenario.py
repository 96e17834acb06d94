"""Building blocks for money scenarios: a funded requester, a published campaign, submitted results."""

from decimal import Decimal

from accounts.wallets import wallet_deposit, wallet_set_commission_rate
from campaigns.services import campaign_create, campaign_publish
from results.claim import assignment_claim_next
from results.services import assignment_submit
from tasks.ingest import tasks_ingest_rows
from tests.factories import ProjectFactory, RequesterFactory, UserFactory


def fund(user, amount, key=None):
    return wallet_deposit(
        user=user,
        amount=Decimal(amount),
        reason="test funds",
        idempotency_key=key or f"fund-{user.pk}-{amount}",
    )


def campaign_with_tasks(
    *, requester=None, tasks=3, payment="1.00", results_per_task=1, rate="0.20", publish=True, **values
):
    requester = requester or RequesterFactory()
    wallet_set_commission_rate(user=requester, rate=Decimal(rate))
    project = ProjectFactory(owner=requester)
    campaign = campaign_create(
        project=project,
        created_by=requester,
        name="Money",
        payment_per_result=Decimal(payment),
        results_per_task=results_per_task,
        **values,
    )
    if tasks:
        tasks_ingest_rows(campaign=campaign, rows=[{"text": f"t{i}"} for i in range(tasks)])
    if publish:
        campaign = campaign_publish(campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def submit_one(campaign, worker=None, *, now=None, answers=None):
    worker = worker or UserFactory()
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker, now=now)
    return assignment_submit(
        assignment_id=assignment.pk, worker=worker, answers=answers or {"label": "x"}, now=now
    )
