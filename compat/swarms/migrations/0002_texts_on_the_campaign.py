"""A Swarms campaign's title, description, terms and estimated duration move to the engine's campaign,
where the worker pages show them; max upload time and properties stay here."""

from django.db import migrations

MOVED = ("title", "description", "terms", "est_duration_s")


def to_campaign(apps, schema_editor):
    CampaignText = apps.get_model("swarms", "CampaignText")
    Campaign = apps.get_model("campaigns", "Campaign")
    for text in CampaignText.objects.all().iterator():
        Campaign.objects.filter(pk=text.campaign_id).update(**{f: getattr(text, f) for f in MOVED})


def to_text(apps, schema_editor):
    CampaignText = apps.get_model("swarms", "CampaignText")
    for text in CampaignText.objects.select_related("campaign").iterator():
        for field in MOVED:
            setattr(text, field, getattr(text.campaign, field))
        text.save(update_fields=MOVED)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0007_campaign_texts_for_workers"),
        ("swarms", "0001_campaign_texts"),
    ]

    operations = [
        migrations.RunPython(to_campaign, to_text),
        *(migrations.RemoveField(model_name="campaigntext", name=field) for field in MOVED),
    ]
