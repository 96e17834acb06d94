from django.conf import settings
from django.db import migrations, models

from crowdplatform.migration_operations import AddIndexWithoutLocking, RemoveIndexWithoutLocking


class Migration(migrations.Migration):
    # The index is built before the one it replaces is dropped, both without blocking claims and submits.
    atomic = False

    dependencies = [
        ("campaigns", "0003_campaign_commission_rate_campaign_fee_per_result_and_more"),
        ("results", "0004_drop_assignment_task_state_index"),
        ("tasks", "0003_task_created_at_db_default"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="assignment",
            index=models.Index(fields=["worker", "state", "campaign", "task"], name="assignment_by_worker"),
        ),
        RemoveIndexWithoutLocking(
            model_name="assignment",
            name="results_ass_worker__9d5805_idx",
        ),
    ]
