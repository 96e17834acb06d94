from datetime import timedelta

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from accounts.models import PermissionGrant, PermissionName
from campaigns.models import Campaign, CampaignState
from projects.models import Project
from projects.templating import template_fields
from results.models import Assignment, AssignmentState
from tasks.models import Task


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RequesterFactory(UserFactory):
    @factory.post_generation
    def grant(obj, create, extracted, **kwargs):
        if create:
            PermissionGrant.objects.create(user=obj, name=PermissionName.PROJECTS_CREATE)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"group{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    owner = factory.SubFactory(RequesterFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    html_template = '<p>${text}</p><input name="label">'
    template_fields = factory.LazyAttribute(lambda p: template_fields(p.html_template))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    created_by = factory.LazyAttribute(lambda c: c.project.owner)
    state = CampaignState.ACTIVE
    results_per_task = 1


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n)
    input = factory.LazyAttribute(lambda t: {"text": f"item {t.position}"})
    results_needed = factory.LazyAttribute(lambda t: t.campaign.results_per_task)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment written as it stands (no claim): accepted an hour before it expires, unless told."""

    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    campaign = factory.LazyAttribute(lambda a: a.task.campaign)
    worker = factory.SubFactory(UserFactory)
    state = AssignmentState.ACCEPTED
    accepted_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda a: a.accepted_at + timedelta(hours=1))
