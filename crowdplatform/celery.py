import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdplatform.settings.local")

app = Celery("crowdplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
