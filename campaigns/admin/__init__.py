"""The campaign admin, by subdomain: the list and change form (``campaign``), the batch upload with its
preview and cost (``upload``), and the progress page with the batch downloads (``progress``)."""

from .campaign import CampaignAdmin

__all__ = ["CampaignAdmin"]
