"""List filters whose titles say what they filter on where Django's default title (the field's own name)
would be ambiguous: a task or assignment list filtered by its campaign's state shows "By campaign state",
not a second "By state"."""

from django.contrib import admin


class CampaignStateFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "campaign state"


class OpenToClaimsFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "open to claims"
