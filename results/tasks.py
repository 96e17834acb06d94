from celery import shared_task

from . import services


@shared_task
def sweep_expire_assignments() -> int:
    return services.assignments_expire_due()
