from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import PermissionName
from accounts.selectors import scoped_ids, user_is_guest
from crowdplatform.errors import Conflict, Forbidden, NotFound
from crowdplatform.sqlrows import Layout, Statement
from projects.models import Project
from results.lifecycle import DONE_STATES, SUBMITTED_WORK_STATES
from results.models import Assignment
from tasks.models import ImportJob, Task

from .eligibility import MAY_WORK, OPEN_FOR_WORK
from .lifecycle import accepts_work
from .models import CAMPAIGN_TEXTS, Campaign, CampaignState


def campaign_list_for_requester(
    *, user: User, permission: str = PermissionName.PROJECTS_READ
) -> QuerySet[Campaign]:
    """Campaigns the user owns (through the project) or holds ``permission`` on, globally or scoped."""
    qs = Campaign.objects.select_related("project", "project__owner", "created_by")
    if user.is_staff:
        return qs
    names = [permission]
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


def is_anonymous_worker(user: User) -> bool:
    """Nobody logged in, or the guest account of a campaign that takes anonymous work."""
    return not user.is_authenticated or user_is_guest(user)


def campaign_list_for_worker(*, user: User) -> QuerySet[Campaign]:
    """Campaigns the user may work on now."""
    may_work = MAY_WORK.as_q(now=timezone.now(), worker=user, anonymous=is_anonymous_worker(user))
    ids = Campaign.objects.filter(may_work).values("pk")
    return Campaign.objects.filter(pk__in=ids).select_related("project").order_by("-project__priority", "id")


def campaign_count_for_any_login() -> int:
    """Campaigns that take work now from any logged-in worker and not from an anonymous visitor: what the
    worker pages tell a visitor who has not logged in yet (campaigns open only to listed workers left out)."""
    return Campaign.objects.filter(
        OPEN_FOR_WORK.as_q(now=timezone.now()),
        login_required=True,
        restricted=False,
        project__restricted=False,
    ).count()


# The project's template, data and description can be large (templates often carry their pictures and
# scripts inline), as can the texts workers read, and no claim reads them; they load on first access where
# a page needs them.
_CAMPAIGN = Layout((Campaign, "c", CAMPAIGN_TEXTS), (Project, "p", {"html_template", "data", "description"}))
_CAMPAIGN_BY_ID = Statement(
    f"SELECT {_CAMPAIGN.columns} FROM campaigns_campaign c JOIN projects_project p ON p.id = c.project_id"
    " WHERE c.id = %s"
)


def campaign_get_for_worker(*, user: User, pk: int) -> Campaign:
    """The campaign if the user may work on it now; a campaign they cannot see is a 404, a closed one a 409."""
    # Every claim passes here: one plain query (SQL text, see ``crowdplatform.sqlrows``) and the rule
    # checked on the row (membership only for a restricted campaign) cost a fraction of planning the list
    # query with its joins.
    found = _CAMPAIGN.fetch_one(_CAMPAIGN_BY_ID, [pk])
    if found is None:
        raise NotFound("No such campaign.", code="campaign-not-found")
    campaign, campaign.project = found
    if MAY_WORK.holds(campaign, now=timezone.now(), worker=user, anonymous=is_anonymous_worker(user)):
        return campaign
    if campaign.restricted or campaign.project.restricted or campaign.state == CampaignState.UNPUBLISHED:
        raise NotFound("No such campaign.", code="campaign-not-found")
    if not accepts_work(campaign.state):
        raise Conflict(
            f"The campaign is {campaign.state}; it does not take work now.",
            code="campaign-not-active",
            extra={"state": campaign.state},
        )
    if campaign.login_required and is_anonymous_worker(user):
        raise Forbidden("This campaign needs a logged-in worker.", code="login-required")
    raise Conflict("The campaign is outside its working dates.", code="campaign-not-open")


def _unfinished_tasks():
    # A task is finished when its done results fill it: the claim bookkeeping then marks it closed with
    # no accepted assignment it waits for (see tasks.models.Task).
    return Task.objects.filter(Q(is_open=True) | Q(reopen_at__isnull=False))


def campaigns_with_completed(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate ``completed``: the campaign has tasks and every one has all its results (a staged task
    has none yet)."""
    unfinished = _unfinished_tasks().filter(campaign=OuterRef("pk"))
    return qs.annotate(completed=Q(tasks_count__gt=0, tasks_staged=0) & ~Exists(unfinished))


def campaign_progress(*, campaign: Campaign) -> dict:
    """Task and result counts of a campaign in two queries, whatever its size. Staged tasks are counted
    once written: a reader calls ``tasks.staging.tasks_ensure_written`` first."""
    tasks = Task.objects.filter(campaign=campaign).aggregate(
        total_tasks=Count("pk"),
        total_task_assignments=Coalesce(Sum("results_needed"), 0),
        total_finished_tasks=Count("pk", filter=Q(is_open=False, reopen_at__isnull=True)),
    )
    done = Assignment.objects.filter(campaign=campaign, state__in=DONE_STATES).count()
    return {**tasks, "total_finished_task_assignments": done}


def campaign_input_keys(*, campaign: Campaign) -> list[str]:
    """Task input fields of a campaign in first-seen order: the headers of its imports, else the tasks'."""
    keys: dict[str, None] = {}
    for header in ImportJob.objects.filter(campaign=campaign).order_by("pk").values_list("header", flat=True):
        keys.update(dict.fromkeys(header or []))
    if keys:
        return list(keys)
    return _json_keys(Task, "input", campaign.pk)


def campaign_answer_keys(*, campaign: Campaign) -> list[str]:
    """Answer fields found in the campaign's submitted work, sorted; one query that the database answers."""
    return sorted(_json_keys(Assignment, "answers", campaign.pk, states=SUBMITTED_WORK_STATES))


def _json_keys(model, column: str, campaign_id: int, states: tuple[str, ...] = ()) -> list[str]:
    """Distinct keys of a JSON object column, ordered by the first row (by pk) that has them."""
    table = connection.ops.quote_name(model._meta.db_table)
    col = connection.ops.quote_name(column)
    where = "t.campaign_id = %s"
    params: list = [campaign_id]
    if states:
        where += f" AND t.state IN ({', '.join(['%s'] * len(states))})"
        params += list(states)
    # Only JSON objects have keys; other values (another surface's list, a null) are passed over.
    if connection.vendor == "postgresql":
        source = f"{table} t CROSS JOIN LATERAL jsonb_object_keys(t.{col}) AS k(key)"
        where += f" AND jsonb_typeof(t.{col}) = 'object'"
    else:
        source = f"{table} t, json_each(t.{col}) AS k"
        where += f" AND json_type(t.{col}) = 'object'"
    sql = f"SELECT k.key FROM {source} WHERE {where} GROUP BY k.key ORDER BY MIN(t.id), k.key"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def campaign_submitted_work(*, campaign: Campaign) -> QuerySet[Assignment]:
    """The campaign's assignments that carry submitted work, oldest first."""
    return Assignment.objects.filter(campaign=campaign, state__in=SUBMITTED_WORK_STATES).order_by("pk")
