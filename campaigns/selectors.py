from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import PermissionName
from accounts.selectors import scoped_ids
from crowdplatform.errors import Conflict, Forbidden, NotFound

from .lifecycle import accepts_work
from .models import Campaign, CampaignState


def campaign_list_for_requester(
    *, user: User, permission: str = PermissionName.PROJECTS_READ
) -> QuerySet[Campaign]:
    """Campaigns the user owns (through the project) or holds ``permission`` on, globally or scoped."""
    qs = Campaign.objects.select_related("project", "project__owner", "created_by")
    if user.is_staff:
        return qs
    names = [permission] if permission == PermissionName.PROJECTS_READ else [permission]
    is_global, campaign_ids = scoped_ids(user, names, "campaign")
    if is_global:
        return qs
    _, project_ids = scoped_ids(user, names, "project")
    return qs.filter(Q(project__owner=user) | Q(project_id__in=project_ids) | Q(pk__in=campaign_ids))


def campaign_get_for_requester(
    *, user: User, pk: int, permission: str = PermissionName.PROJECTS_READ
) -> Campaign:
    campaign = campaign_list_for_requester(user=user, permission=permission).filter(pk=pk).first()
    if campaign is None:
        raise NotFound("No such campaign.", code="campaign-not-found")
    return campaign


def _worker_filter(user: User, now) -> Q:
    is_member = Q(worker_users=user) | Q(worker_groups__in=user.groups.all())
    project_member = Q(project__worker_users=user) | Q(project__worker_groups__in=user.groups.all())
    return (
        Q(state=CampaignState.ACTIVE, project__active=True)
        & (Q(start_at__isnull=True) | Q(start_at__lte=now))
        & (Q(end_at__isnull=True) | Q(end_at__gt=now))
        & (Q(restricted=False) | is_member)
        & (Q(project__restricted=False) | project_member)
    )


def campaign_list_for_worker(*, user: User) -> QuerySet[Campaign]:
    """Campaigns the user may work on now."""
    now = timezone.now()
    ids = Campaign.objects.filter(_worker_filter(user, now)).values("pk")
    qs = Campaign.objects.filter(pk__in=ids).select_related("project")
    if not user.is_authenticated or user.username.startswith("anon-"):
        qs = qs.filter(login_required=False)
    return qs.order_by("-project__priority", "id")


def campaign_get_for_worker(*, user: User, pk: int) -> Campaign:
    """The campaign if the user may work on it now; a campaign they cannot see is a 404, a closed one a 409."""
    campaign = Campaign.objects.select_related("project").filter(pk=pk).first()
    if campaign is None:
        raise NotFound("No such campaign.", code="campaign-not-found")
    if campaign_list_for_worker(user=user).filter(pk=pk).exists():
        return campaign
    if campaign.restricted or campaign.project.restricted or campaign.state == CampaignState.UNPUBLISHED:
        raise NotFound("No such campaign.", code="campaign-not-found")
    if not accepts_work(campaign.state):
        raise Conflict(
            f"The campaign is {campaign.state}; it does not take work now.",
            code="campaign-not-active",
            extra={"state": campaign.state},
        )
    if campaign.login_required and (not user.is_authenticated or user.username.startswith("anon-")):
        raise Forbidden("This campaign needs a logged-in worker.", code="login-required")
    raise Conflict("The campaign is outside its working dates.", code="campaign-not-open")
