"""Which campaign a request may change: unreadable is a 404, readable but not manageable a 403."""

from django.contrib.auth.models import User

from accounts.models import PermissionName
from campaigns.models import Campaign
from campaigns.selectors import campaign_get_for_requester, campaign_list_for_requester
from crowdplatform.errors import Forbidden


def campaign_get_for_change(
    *, user: User, pk: int, permission: str = PermissionName.CAMPAIGNS_MANAGE
) -> Campaign:
    campaign = campaign_list_for_requester(user=user, permission=permission).filter(pk=pk).first()
    if campaign is not None:
        return campaign
    campaign_get_for_requester(user=user, pk=pk)  # 404 when the user may not even read it
    raise Forbidden(f"This needs the {permission} permission on the campaign.", code="permission-denied")
