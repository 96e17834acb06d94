from celery import shared_task

from . import media, staging


@shared_task
def write_staged_tasks(campaign_id: int) -> int:
    return staging.tasks_write_staged(campaign_id=campaign_id)


@shared_task
def sweep_write_staged_tasks() -> int:
    return staging.tasks_write_all_staged()


@shared_task
def sweep_purge_unreferenced_media() -> int:
    return media.media_purge_unreferenced()
