"""Each rule written once reads the same in Python, as a Django ``Q`` and as the SQL the fast paths run:
generated rows, campaigns and moments, checked on PostgreSQL (``crowdplatform.predicates``)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns import eligibility
from campaigns.models import Campaign, CampaignState
from crowdplatform.predicates import Tables
from projects.models import Project
from results import lifecycle
from results.models import Assignment, AssignmentState
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    GroupFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
# Moments around NOW, the boundary itself included: rules differ on "before", "at" and "after".
OFFSETS = [-86400, -1, -0.000001, 0, 0.000001, 1, 86400]
moments = st.sampled_from(OFFSETS).map(lambda s: NOW + timedelta(seconds=s))
maybe_moments = st.none() | moments

ASSIGNMENT_RULES = {
    "holds a slot": lifecycle.HOLDS_SLOT,
    "holds it until a deadline": lifecycle.HOLDS_UNTIL_DEADLINE,
    "counts for the cap": lifecycle.COUNTS_FOR_CAP,
    "submittable": lifecycle.SUBMITTABLE,
    "campaign takes results": lifecycle.CAMPAIGN_TAKES_RESULTS,
    "may still be approved": lifecycle.MAY_STILL_BE_APPROVED,
    "claimable again": lifecycle.CLAIMABLE_AGAIN,
    **{f"may {name}": t.allowed for name, t in lifecycle.TRANSITIONS.items()},
}
CAMPAIGN_RULES = {"may work": eligibility.MAY_WORK, "open for work": eligibility.OPEN_FOR_WORK}

# As the fast paths use them: conditions of a WHERE clause (where NULL, as false, lets no row through).
_ASSIGNMENT_SQL = (
    "SELECT EXISTS (SELECT 1 FROM results_assignment a JOIN campaigns_campaign c ON c.id = a.campaign_id"
    " WHERE a.id = %(id)s AND {rule})"
)
_CAMPAIGN_SQL = (
    "SELECT EXISTS (SELECT 1 FROM campaigns_campaign c JOIN projects_project p ON p.id = c.project_id"
    " WHERE c.id = %(id)s AND {rule})"
)


def _sql(template: str, rule: str, params: dict) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(template.format(rule=rule), params)
        return cursor.fetchone()[0]


@pytest.fixture
def rows():
    """One assignment on one task of one campaign of one project, and a worker with a group: each example
    writes its values over them."""
    worker = UserFactory()
    group = GroupFactory()
    worker.groups.add(group)
    project = ProjectFactory()
    campaign = CampaignFactory(project=project)
    assignment = AssignmentFactory(task=TaskFactory(campaign=campaign), campaign=campaign, worker=worker)
    return {
        "worker": worker,
        "group": group,
        "project": project,
        "campaign": campaign,
        "assignment": assignment,
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    state=st.sampled_from(AssignmentState.values),
    expires_at=moments,
    redo_until=maybe_moments,
    review_due_at=maybe_moments,
    reviewed_at=maybe_moments,
    campaign_state=st.sampled_from(CampaignState.values),
    overturn_since=moments,
    now=moments,
)
def test_the_assignment_rules_agree_in_python_q_and_sql(rows, now, campaign_state, overturn_since, **values):
    # given an assignment and its campaign as generated
    Assignment.objects.filter(pk=rows["assignment"].pk).update(**values)
    Campaign.objects.filter(pk=rows["campaign"].pk).update(state=campaign_state)
    assignment = Assignment.objects.select_related("campaign").get(pk=rows["assignment"].pk)
    params = {"now": now, "overturn_since": overturn_since}
    tables = Tables((Assignment, "a"), (Campaign, "c", "campaign"))
    for name, rule in ASSIGNMENT_RULES.items():
        # when each rule is read three ways
        in_python = rule.holds(assignment, **params)
        in_q = Assignment.objects.filter(pk=assignment.pk).filter(rule.as_q(**params)).exists()
        in_sql = _sql(
            _ASSIGNMENT_SQL,
            rule.sql(tables, now="%(now)s", overturn_since="%(overturn_since)s"),
            {"id": assignment.pk, **params},
        )
        # then all three say the same
        assert in_python == in_q == in_sql, (name, in_python, in_q, in_sql)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    state=st.sampled_from(CampaignState.values),
    start_at=maybe_moments,
    end_at=maybe_moments,
    login_required=st.booleans(),
    restricted=st.booleans(),
    project_active=st.booleans(),
    project_restricted=st.booleans(),
    listed=st.sets(st.sampled_from(["campaign user", "campaign group", "project user", "project group"])),
    anonymous=st.booleans(),
    nobody=st.booleans(),
    now=moments,
)
def test_who_may_work_agrees_in_python_q_and_sql(
    rows, now, project_active, project_restricted, listed, anonymous, nobody, **values
):
    # given a campaign, its project and its lists of workers as generated, and a worker (or nobody)
    campaign, project, worker, group = rows["campaign"], rows["project"], rows["worker"], rows["group"]
    Campaign.objects.filter(pk=campaign.pk).update(**values)
    Project.objects.filter(pk=project.pk).update(active=project_active, restricted=project_restricted)
    campaign.worker_users.set([worker] if "campaign user" in listed else [])
    campaign.worker_groups.set([group] if "campaign group" in listed else [])
    project.worker_users.set([worker] if "project user" in listed else [])
    project.worker_groups.set([group] if "project group" in listed else [])
    loaded = Campaign.objects.select_related("project").get(pk=campaign.pk)
    who = None if nobody else worker
    params = {"now": now, "worker": who, "anonymous": anonymous or nobody}
    tables = Tables((Campaign, "c"), (Project, "p", "project"))
    for name, rule in CAMPAIGN_RULES.items():
        # when each rule is read three ways
        in_python = rule.holds(loaded, **params)
        in_q = Campaign.objects.filter(pk=campaign.pk).filter(rule.as_q(**params)).exists()
        sql_params = {
            "id": campaign.pk,
            "now": now,
            "worker": who.pk if who else None,
            "anonymous": params["anonymous"],
        }
        in_sql = _sql(
            _CAMPAIGN_SQL,
            rule.sql(tables, now="%(now)s", worker="%(worker)s", anonymous="%(anonymous)s"),
            sql_params,
        )
        # then all three say the same
        assert in_python == in_q == in_sql, (name, in_python, in_q, in_sql)
