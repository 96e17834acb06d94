from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The quick start's demo data (``manage.py seed_demo``): a face on top of every app, as the data it
    makes touches them all."""

    name = "demo"
    verbose_name = "Demo data"
