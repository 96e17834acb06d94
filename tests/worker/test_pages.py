import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign, CampaignState
from results.claim import assignment_claim_next
from results.models import Assignment, AssignmentState
from tests.factories import CampaignFactory, TaskFactory, UserFactory
from worker.frames import TOKEN_FIELD
from worker.views import AUTO_ACCEPT_KEY

from .conftest import image_campaign

pytestmark = pytest.mark.django_db

FRAME_CSP = (
    "sandbox allow-scripts allow-forms allow-top-navigation-by-user-activation; default-src 'none'; "
    "img-src * data: blob:; media-src * data: blob:; font-src * data:; style-src 'unsafe-inline' *; "
    "script-src 'unsafe-inline' *; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)


def hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def frame_post(assignment, worker_client, **answers):
    """Load the frame as the worker's browser does, then post its form without any session (opaque origin)."""
    frame = worker_client.get(f"/worker/assignments/{assignment.pk}/frame/").content.decode()
    return Client().post(f"/worker/assignments/{assignment.pk}/submit/", {**hidden_fields(frame), **answers})


# --- home, login ---------------------------------------------------------------------------------------


def test_login_page_logs_the_worker_in_and_lands_on_home(worker):
    # given the login page
    assert Client().get("/worker/login/").status_code == 200
    # when the worker posts their credentials
    client = Client()
    response = client.post("/worker/login/", {"username": worker.username, "password": "correct-horse"})
    # then they land on the home page, logged in
    assert (response.status_code, response["Location"]) == (302, "/worker/")
    assert client.get("/worker/").context["user"] == worker


def test_logout_is_a_post_that_ends_the_session(worker_browser):
    response = worker_browser.post("/worker/logout/")
    assert (response.status_code, response["Location"]) == (302, "/worker/login/")
    assert worker_browser.get("/worker/history/")["Location"] == "/worker/login/?next=/worker/history/"


def test_home_lists_campaigns_with_tasks_available_to_the_worker(worker, worker_browser, campaign):
    # given the worker already did one task of the campaign, and a paused campaign exists
    assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    CampaignFactory(state=CampaignState.PAUSED)
    # when they open the home page
    response = worker_browser.get("/worker/")
    # then only the active campaign is listed, with the six tasks still on offer to them
    assert response.status_code == 200
    listed = [(c.pk, c.available) for c in response.context["campaigns"]]
    assert listed == [(campaign.pk, 6)]
    assert "6 tasks available" in response.content.decode()
    assert [a.task.position for a in response.context["open_assignments"]] == [1]


def test_open_and_redo_lists_hold_only_work_the_lifecycle_lets_the_worker_hand_in(
    worker, worker_browser, campaign
):
    # given one task in hand, one whose time ran out before the sweep, and the campaign then cancelled
    in_hand = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    late = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    Assignment.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when the worker opens the list of their tasks
    listed = worker_browser.get("/worker/assignments/").context["open_assignments"]
    # then only the task that may still be submitted is listed
    assert [a.pk for a in listed] == [in_hand.pk]
    # and once the campaign is cancelled nothing may be handed in, so nothing is listed
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CANCELLED)
    assert list(worker_browser.get("/worker/assignments/").context["open_assignments"]) == []


def test_home_counts_availability_in_a_constant_number_of_queries(
    worker, worker_browser, django_assert_num_queries
):
    # given two campaigns, then five
    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert worker_browser.get("/worker/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        TaskFactory(campaign=CampaignFactory())
    few = queries()
    for _ in range(3):
        TaskFactory(campaign=CampaignFactory())
    # then the home page costs the same number of queries
    assert queries() == few


def test_anonymous_home_shows_only_campaigns_without_login(db):
    # given a campaign that needs a login and one that does not
    open_to_all = image_campaign(login_required=False)
    image_campaign()
    # when an anonymous visitor opens the home page
    response = Client().get("/worker/")
    # then only the campaign without login is offered, with all its tasks
    assert [(c.pk, c.available) for c in response.context["campaigns"]] == [(open_to_all.pk, 7)]


# --- preview, accept, skip -----------------------------------------------------------------------------


def test_home_and_preview_tell_the_worker_the_campaigns_title_description_terms_and_duration(
    worker_browser, campaign
):
    # given a campaign with the texts workers are told, and one without (its name and project stand in)
    Campaign.objects.filter(pk=campaign.pk).update(
        title="Find the cats",
        description="Say whether there is a cat in each picture.",
        terms="Pictures are private: don't share them.",
        est_duration_s=120,
    )
    plain = CampaignFactory(name="Plain campaign", state=CampaignState.ACTIVE)
    TaskFactory(campaign=plain)
    # when the worker opens the home page
    home = worker_browser.get("/worker/").content.decode()
    # then each campaign is shown by its title, else its name, with its description and terms
    assert "<h2>Find the cats</h2>" in home and "<h2>Plain campaign</h2>" in home
    assert "Say whether there is a cat in each picture." in home
    assert "Terms of this work" in home and "Pictures are private: don&#x27;t share them." in home
    assert "takes about 2 min" in home
    # and the preview says them before the worker accepts
    preview = worker_browser.get(f"/worker/campaigns/{campaign.pk}/").content.decode()
    assert "Find the cats" in preview and "Say whether there is a cat in each picture." in preview
    assert '<details class="terms" open>' in preview


def test_preview_shows_the_next_task_without_claiming_it(worker_browser, campaign):
    # when the worker previews the campaign
    response = worker_browser.get(f"/worker/campaigns/{campaign.pk}/")
    # then they see the first task read-only in a sandbox without forms, and nothing is claimed
    assert response.status_code == 200
    task = response.context["task"]
    assert task.position == 1
    assert f'src="/worker/tasks/{task.pk}/frame/" sandbox="allow-scripts"' in response.content.decode()
    assert "This is a preview: its form cannot be sent." in response.content.decode()
    assert Assignment.objects.count() == 0


def test_preview_frame_is_sandboxed_without_forms_or_token(worker_browser, campaign):
    task = campaign.tasks.get(position=7)
    response = worker_browser.get(f"/worker/tasks/{task.pk}/frame/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox allow-scripts; default-src 'none'")
    assert response["Content-Security-Policy"].endswith("form-action 'none'")
    html = response.content.decode()
    assert TOKEN_FIELD not in html
    # CSV values are escaped, so a value cannot inject markup
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in html


def test_accept_next_claims_and_opens_the_task_page(worker, worker_browser, campaign):
    response = worker_browser.post(f"/worker/campaigns/{campaign.pk}/accept/")
    assignment = Assignment.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/worker/assignments/{assignment.pk}/")
    assert (assignment.worker, assignment.task.position, assignment.state) == (
        worker,
        1,
        AssignmentState.ACCEPTED,
    )


def test_accept_a_previewed_task(worker, worker_browser, campaign):
    # given the worker previews a task that is not the first
    task = campaign.tasks.get(position=3)
    # when they accept it
    response = worker_browser.post(f"/worker/tasks/{task.pk}/accept/")
    # then they hold exactly that task
    assignment = Assignment.objects.get()
    assert response["Location"] == f"/worker/assignments/{assignment.pk}/"
    assert (assignment.task_id, assignment.state) == (task.pk, AssignmentState.ACCEPTED)


def test_accepting_a_task_that_is_full_shows_the_reason_and_changes_nothing(worker_browser, campaign):
    # given someone else holds the only slot of a task
    task = campaign.tasks.get(position=1)
    assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory())
    # when the worker tries to accept that task
    response = worker_browser.post(f"/worker/tasks/{task.pk}/accept/", follow=True)
    # then they are told why, and nothing was claimed for them
    assert "This task has all the results it needs." in response.content.decode()
    assert Assignment.objects.count() == 1


def test_skip_from_preview_offers_the_next_task(worker, worker_browser, campaign):
    first = campaign.tasks.get(position=1)
    response = worker_browser.post(f"/worker/tasks/{first.pk}/skip/")
    assert response["Location"] == f"/worker/campaigns/{campaign.pk}/"
    assert Assignment.objects.get().state == AssignmentState.SKIPPED
    assert worker_browser.get(response["Location"]).context["task"].position == 2


def test_a_task_skipped_from_its_preview_shows_no_accepted_date_in_the_history(
    worker, worker_browser, campaign
):
    # given one task skipped from its preview and one accepted and then skipped
    worker_browser.post(f"/worker/tasks/{campaign.tasks.get(position=1).pk}/skip/")
    accepted = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    worker_browser.post(f"/worker/assignments/{accepted.pk}/skip/")
    # when the worker opens their history
    html = worker_browser.get("/worker/history/").content.decode()
    # then only the accepted one shows when it was accepted
    assert html.count("Skipped from its preview") == 1
    assert html.count(" UTC</td>") == 1


def test_accept_next_with_nothing_left_says_so(worker_browser, db):
    campaign = CampaignFactory()
    response = worker_browser.post(f"/worker/campaigns/{campaign.pk}/accept/", follow=True)
    assert "No task is available for you in this campaign." in response.content.decode()
    # and the campaign on the home page says why there is nothing to accept
    assert "Nothing here for you right now" in response.content.decode()


def test_a_campaign_the_worker_may_not_see_is_a_404_page(worker_browser, db):
    campaign = CampaignFactory(restricted=True)
    TaskFactory(campaign=campaign)
    response = worker_browser.get(f"/worker/campaigns/{campaign.pk}/")
    assert response.status_code == 404
    assert "campaign-not-found" in response.content.decode()


# --- the task page and its frame ----------------------------------------------------------------------


def test_task_page_embeds_the_frame_in_a_sandbox_without_same_origin(worker, worker_browser, campaign):
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    response = worker_browser.get(f"/worker/assignments/{assignment.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    iframe = re.search(r"<iframe[^>]*>", html).group(0)
    assert 'sandbox="allow-scripts allow-forms allow-top-navigation-by-user-activation"' in iframe
    assert "allow-same-origin" not in iframe
    assert (
        f"/worker/assignments/{assignment.pk}/frame/?assignmentId={assignment.pk}&amp;hitId={assignment.task_id}"
        f"&amp;workerId={worker.pk}&amp;urlSubmitTo=http%3A%2F%2Ftestserver%2Fworker%2Fassignments%2F"
        f"{assignment.pk}%2Fsubmit%2F"
    ) in iframe
    assert f'data-deadline="{assignment.expires_at.isoformat()}' in html


def test_frame_serves_the_template_in_a_form_with_mturk_fields_and_a_restrictive_csp(
    worker, worker_browser, campaign
):
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    response = worker_browser.get(f"/worker/assignments/{assignment.pk}/frame/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == FRAME_CSP
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    assert (
        f'<form id="crowd-task-form" method="post" action="/worker/assignments/{assignment.pk}/submit/"'
        in html
    )
    fields = hidden_fields(html)
    assert {k: fields[k] for k in ("assignmentId", "hitId", "workerId")} == {
        "assignmentId": str(assignment.pk),
        "hitId": str(assignment.task_id),
        "workerId": str(worker.pk),
    }
    assert fields[TOKEN_FIELD]
    assert "Does this picture contain a bicycle?" in html


def test_another_workers_assignment_is_a_404(worker, campaign):
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory())
    client = Client()
    client.force_login(worker)
    assert client.get(f"/worker/assignments/{assignment.pk}/").status_code == 404
    assert client.get(f"/worker/assignments/{assignment.pk}/frame/").status_code == 404


# --- submit -------------------------------------------------------------------------------------------


def test_submit_saves_the_form_fields_as_answers_and_goes_home(worker, worker_browser, campaign):
    # given an accepted task
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    # when the framed form posts (no session cookie, only its token)
    response = frame_post(
        assignment, worker_browser, contains="yes", also=["person", "vehicle"], comment="Nice ünïcode"
    )
    # then the answers are stored without the mTurk fields, multi-valued fields as lists
    assert (response.status_code, response["Location"]) == (302, "/worker/")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert assignment.answers == {"contains": "yes", "also": ["person", "vehicle"], "comment": "Nice ünïcode"}


def test_submit_with_auto_accept_lands_on_the_next_task(worker, worker_browser, campaign):
    # given auto-accept is on
    worker_browser.post("/worker/auto-accept/", {"on": "1"})
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    # when the worker submits
    response = frame_post(assignment, worker_browser, contains="no")
    # then they land on their next task
    following = Assignment.objects.exclude(pk=assignment.pk).get()
    assert response["Location"] == f"/worker/assignments/{following.pk}/"
    assert (following.task.position, following.state) == (2, AssignmentState.ACCEPTED)


def test_a_form_can_be_submitted_only_once(worker, worker_browser, campaign):
    # given a submitted assignment and the frame's form as it was
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    frame = worker_browser.get(f"/worker/assignments/{assignment.pk}/frame/").content.decode()
    Client().post(f"/worker/assignments/{assignment.pk}/submit/", {**hidden_fields(frame), "contains": "yes"})
    # when the same form is posted again
    response = Client().post(
        f"/worker/assignments/{assignment.pk}/submit/",
        {**hidden_fields(frame), "contains": "no"},
        follow=True,
    )
    # then it is refused, the worker is told on the page the redirect leads to, and the first answers stay
    assert response.redirect_chain == [("/worker/", 302)]
    assert "This form can no longer be submitted" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.answers == {"contains": "yes"}


def test_submit_without_a_valid_token_is_refused(worker, campaign):
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    response = Client().post(
        f"/worker/assignments/{assignment.pk}/submit/", {TOKEN_FIELD: "forged", "contains": "yes"}
    )
    assert (response.status_code, response["Location"]) == (302, "/worker/")
    assignment.refresh_from_db()
    assert (assignment.state, assignment.answers) == (AssignmentState.ACCEPTED, {})


def test_a_token_made_for_another_assignment_is_refused(worker, worker_browser, campaign):
    mine = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    other = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    frame = worker_browser.get(f"/worker/assignments/{mine.pk}/frame/").content.decode()
    response = Client().post(f"/worker/assignments/{other.pk}/submit/", hidden_fields(frame))
    assert (response.status_code, response["Location"]) == (302, "/worker/")
    assert Assignment.objects.get(pk=other.pk).state == AssignmentState.ACCEPTED


def test_submit_after_the_time_limit_says_the_answers_were_not_saved(worker, worker_browser, campaign):
    # given an assignment whose frame was loaded, then whose time ran out
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    frame = worker_browser.get(f"/worker/assignments/{assignment.pk}/frame/").content.decode()
    Assignment.objects.filter(pk=assignment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Assignment.objects.filter(pk=assignment.pk).update(updated_at=assignment.updated_at)
    # when the form is posted
    response = Client().post(
        f"/worker/assignments/{assignment.pk}/submit/",
        {**hidden_fields(frame), "contains": "yes"},
        follow=True,
    )
    # then the worker lands on a page of the site (with their session, in a browser) that says what
    # happened, and nothing changed
    assert response.redirect_chain == [("/worker/", 302)]
    assert "Time ran out for this task before your answers arrived" in response.content.decode()
    assignment.refresh_from_db()
    assert (assignment.state, assignment.answers) == (AssignmentState.ACCEPTED, {})


# --- return, skip, auto-accept ------------------------------------------------------------------------


def test_return_gives_the_task_back(worker, worker_browser, campaign):
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    response = worker_browser.post(f"/worker/assignments/{assignment.pk}/return/")
    assert response["Location"] == "/worker/"
    assert Assignment.objects.get().state == AssignmentState.RETURNED


def test_skip_an_accepted_task_with_auto_accept_opens_the_next(worker, worker_browser, campaign):
    worker_browser.post("/worker/auto-accept/", {"on": "1"})
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    response = worker_browser.post(f"/worker/assignments/{assignment.pk}/skip/")
    following = Assignment.objects.get(state=AssignmentState.ACCEPTED)
    assert response["Location"] == f"/worker/assignments/{following.pk}/"
    assert Assignment.objects.get(pk=assignment.pk).state == AssignmentState.SKIPPED
    assert following.task.position == 2


def test_returning_a_submitted_assignment_is_refused(worker, worker_browser, campaign):
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    frame_post(assignment, worker_browser, contains="yes")
    response = worker_browser.post(f"/worker/assignments/{assignment.pk}/return/", follow=True)
    assert "Only an open assignment can be returned; this one is submitted." in response.content.decode()
    assert Assignment.objects.get().state == AssignmentState.SUBMITTED


def test_auto_accept_switch_is_remembered_in_the_session(worker_browser, db):
    response = worker_browser.post("/worker/auto-accept/", {"on": "1", "next": "/worker/history/"})
    assert response["Location"] == "/worker/history/"
    assert worker_browser.session[AUTO_ACCEPT_KEY] is True
    worker_browser.post("/worker/auto-accept/", {"on": "0", "next": "https://evil.example/"})
    assert worker_browser.session[AUTO_ACCEPT_KEY] is False


# --- anonymous work -----------------------------------------------------------------------------------


def test_anonymous_visitor_works_as_a_guest_where_no_login_is_needed(db):
    # given a campaign without login
    campaign = image_campaign(login_required=False)
    browser = Client()
    # when an anonymous visitor accepts the next task
    response = browser.post(f"/worker/campaigns/{campaign.pk}/accept/")
    # then a guest account is made for them and logged in, and they hold the task
    assignment = Assignment.objects.get()
    assert response["Location"] == f"/worker/assignments/{assignment.pk}/"
    assert assignment.worker.username.startswith("anon-")
    assert not assignment.worker.has_usable_password()
    assert browser.get(response["Location"]).status_code == 200


def test_anonymous_visitor_must_log_in_where_the_campaign_needs_it(campaign):
    response = Client().post(f"/worker/campaigns/{campaign.pk}/accept/")
    assert response["Location"] == "/worker/login/?next=%2Fworker%2F"
    assert Assignment.objects.count() == 0


# --- history, feedback, redo --------------------------------------------------------------------------


def test_history_shows_states_sanitised_markdown_feedback_and_stats(worker, worker_browser, campaign):
    # given a rejected result with Markdown feedback that tries to inject a script
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    Assignment.objects.filter(pk=assignment.pk).update(
        state=AssignmentState.REJECTED, feedback="**Wrong** object <script>alert(1)</script>"
    )
    # when the worker opens their history
    response = worker_browser.get("/worker/history/")
    # then the feedback is rendered, without the script, and the figures count it
    html = response.content.decode()
    assert "<strong>Wrong</strong> object" in html
    assert "<script>alert" not in html
    assert response.context["stats"]["rejected"] == 1
    assert response.context["stats"]["approval_rate"] == 0
    # and every submitted result is in one of the figures shown next to "Submitted"
    assert "<dt>To redo</dt>" in html


def test_soft_rejected_work_can_be_redone_with_the_earlier_answers(worker, worker_browser, campaign):
    # given a soft-rejected result with a redo window
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    frame_post(assignment, worker_browser, contains="yes", also=["animal", "person"])
    Assignment.objects.filter(pk=assignment.pk).update(
        state=AssignmentState.SOFT_REJECTED,
        feedback="Look again at the *background*.",
        redo_until=timezone.now() + timedelta(days=1),
    )
    # then the home page and the history offer a redo
    assert [a.pk for a in worker_browser.get("/worker/").context["redo_assignments"]] == [assignment.pk]
    assert (
        f'href="/worker/assignments/{assignment.pk}/">Redo'
        in worker_browser.get("/worker/history/").content.decode()
    )
    # and the task page shows the feedback, and the frame is prefilled with the earlier answers
    page = worker_browser.get(f"/worker/assignments/{assignment.pk}/").content.decode()
    assert "<em>background</em>" in page
    frame = worker_browser.get(f"/worker/assignments/{assignment.pk}/frame/").content.decode()
    prefill = json.loads(re.search(r"\}\)\((\{.*\})\);</script>", frame).group(1))
    assert prefill == {"contains": "yes", "also": ["animal", "person"]}
    # when the worker resubmits
    response = frame_post(assignment, worker_browser, contains="no")
    # then the new answers are in review
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.state, assignment.answers) == (AssignmentState.SUBMITTED, {"contains": "no"})


def test_a_closed_assignment_page_sends_the_worker_to_history(worker, worker_browser, campaign):
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    frame_post(assignment, worker_browser, contains="yes")
    response = worker_browser.get(f"/worker/assignments/{assignment.pk}/")
    assert response["Location"] == "/worker/history/"
    assert worker_browser.get(f"/worker/assignments/{assignment.pk}/frame/").status_code == 409


def test_my_tasks_page_lists_the_workers_open_work_and_not_another_workers(worker, worker_browser):
    # given two campaigns; the worker has an open task in each and has submitted a third
    birds, cats = image_campaign(name="Birds"), image_campaign(name="Cats")
    first = assignment_claim_next(campaign_id=birds.pk, worker=worker)
    second = assignment_claim_next(campaign_id=cats.pk, worker=worker)
    submitted = assignment_claim_next(campaign_id=birds.pk, worker=worker)
    Assignment.objects.filter(pk=submitted.pk).update(state=AssignmentState.SUBMITTED)
    # and another worker has open tasks in one of those campaigns and in a third one
    other = UserFactory()
    theirs = assignment_claim_next(campaign_id=birds.pk, worker=other)
    elsewhere = assignment_claim_next(campaign_id=image_campaign(name="Dogs").pk, worker=other)
    # when the worker opens "My tasks"
    response = worker_browser.get("/worker/assignments/")
    # then exactly their open assignments are listed, soonest deadline first, each with its link
    assert response.status_code == 200
    assert [a.pk for a in response.context["open_assignments"]] == [first.pk, second.pk]
    html = response.content.decode()
    assert re.findall(r'href="/worker/assignments/(\d+)/"', html) == [str(first.pk), str(second.pk)]
    assert "Birds" in html and "Cats" in html and "Dogs" not in html
    for pk in (submitted.pk, theirs.pk, elsewhere.pk):
        assert f"/worker/assignments/{pk}/" not in html
    # and the other worker's page shows only their own two
    other_browser = Client()
    other_browser.force_login(other)
    listed = other_browser.get("/worker/assignments/").context["open_assignments"]
    assert [a.pk for a in listed] == [theirs.pk, elsewhere.pk]


def test_my_tasks_page_needs_a_login(db):
    response = Client().get("/worker/assignments/")
    assert (response.status_code, response["Location"]) == (302, "/worker/login/?next=/worker/assignments/")


def test_the_task_page_is_not_kept_for_the_back_button(worker, worker_browser, campaign):
    # given an accepted task, when its page is shown, then the browser is told not to keep it
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    response = worker_browser.get(f"/worker/assignments/{assignment.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_a_task_whose_time_ran_out_says_so_in_the_page_the_frame_and_the_history(
    worker, worker_browser, campaign
):
    # given an accepted task whose time ran out (no sweep has run: it is still "accepted")
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    Assignment.objects.filter(pk=assignment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when the worker opens it again
    response = worker_browser.get(f"/worker/assignments/{assignment.pk}/", follow=True)
    frame = worker_browser.get(f"/worker/assignments/{assignment.pk}/frame/")
    # then they are told the time ran out, in the history and in the frame (a line, not the whole site)
    page = response.content.decode()
    assert response.redirect_chain == [("/worker/history/", 302)]
    assert "Time ran out for this task, so it went back to the pool." in page
    assert "state-expired" in page and "Expired" in page
    assert frame.status_code == 409
    assert "Time ran out for this task" in frame.content.decode()
    assert "topbar" not in frame.content.decode()
