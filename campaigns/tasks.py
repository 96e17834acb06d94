from celery import shared_task

from . import schedule


@shared_task
def sweep_start_campaigns() -> int:
    return schedule.campaigns_start_due()


@shared_task
def sweep_finish_campaigns() -> int:
    return schedule.campaigns_finish_due() + schedule.campaigns_settle_closed()
