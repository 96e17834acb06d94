"""What a Swarms campaign says that the engine's campaign has no column for: texts shown with it and
free properties. Nothing here is a rule: the engine never reads these fields."""

from django.db import models


class CampaignText(models.Model):
    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="swarms_text"
    )
    max_upload_time_s = models.PositiveIntegerField(null=True, blank=True)
    properties = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return str(self.campaign_id)
