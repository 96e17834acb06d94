from celery import shared_task

from . import review, services


@shared_task
def sweep_expire_assignments() -> int:
    return services.assignments_expire_due()


@shared_task
def sweep_auto_approve() -> int:
    return review.results_auto_approve_due()


@shared_task
def sweep_close_redo_windows() -> int:
    return services.assignments_expire_redo_due()
