"""The worker's pages: thin views over the engine's services and selectors."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.services import guest_user_create
from campaigns.selectors import (
    campaign_count_for_any_login,
    campaign_get_for_worker,
    campaign_list_for_worker,
)
from crowdplatform.errors import ApplicationError, Conflict, Forbidden, ValidationFailed
from results.claim import assignment_claim, assignment_claim_next
from results.lifecycle import CAMPAIGN_TAKES_RESULTS, submittable
from results.models import AssignmentState
from results.services import assignment_return, assignment_skip, assignment_submit
from tasks.selectors import AVAILABLE_COUNT_CAP, available_task_counts, task_peek_next
from tasks.staging import tasks_ensure_written_for_worker

from . import frames
from .screens import screen_views
from .selectors import (
    assignment_get_for_submit,
    assignment_get_for_worker,
    assignment_list_history,
    assignment_list_open,
    assignment_list_redo,
    campaign_names,
    job_screens,
    payment_list,
    task_get_for_preview,
    worker_earnings,
    worker_stats,
)

AUTO_ACCEPT_KEY = "worker_auto_accept"
HISTORY_PAGE_SIZE = 25
PAYMENTS_PAGE_SIZE = 25


def _auto_accept(request) -> bool:
    return bool(request.session.get(AUTO_ACCEPT_KEY, False))


def _home():
    return redirect("worker:home")


def _error_page(request, exc: ApplicationError):
    return render(request, "worker/error.html", {"error": exc}, status=exc.status)


def shows_errors(view):
    """Turn an ApplicationError into a readable page (GET) or a message on the home page (POST)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as exc:
            if request.method == "POST":
                messages.error(request, exc.message)
                return _home()
            return _error_page(request, exc)

    return wrapper


def _campaign_and_worker(request, campaign_id: int):
    """The campaign and who works on it: the logged-in user, or a new guest where the campaign needs no login.

    The worker is None when the visitor must log in first.
    """
    try:
        campaign = campaign_get_for_worker(user=request.user, pk=campaign_id)
    except Forbidden:
        return None, None
    if request.user.is_authenticated:
        return campaign, request.user
    user = guest_user_create()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return campaign, user


def _to_login(request):
    return HttpResponseRedirect(f"{reverse('worker:login')}?{urlencode({'next': request.get_full_path()})}")


@require_GET
def home(request):
    user = request.user
    tasks_ensure_written_for_worker(user=user)
    campaigns = list(campaign_list_for_worker(user=user))
    counts = available_task_counts(user if user.is_authenticated else None, [c.pk for c in campaigns])
    for campaign in campaigns:
        campaign.available = counts.get(campaign.pk, 0)
        campaign.available_at_cap = campaign.available >= AVAILABLE_COUNT_CAP
    context = {"campaigns": campaigns, "auto_accept": _auto_accept(request)}
    if user.is_authenticated:
        context.update(
            open_assignments=assignment_list_open(worker=user),
            redo_assignments=assignment_list_redo(worker=user),
            stats=worker_stats(worker=user),
            earnings=worker_earnings(worker=user),
        )
    else:
        # Work that needs a login is not listed for a visitor; they are told it is there.
        context["for_logged_in"] = campaign_count_for_any_login()
    return render(request, "worker/home.html", context)


@require_POST
def auto_accept(request):
    request.session[AUTO_ACCEPT_KEY] = request.POST.get("on") == "1"
    if request.headers.get("X-Requested-With") == "fetch":
        # The task page's switch, sent without leaving the page (the worker's answers stay in the frame).
        return HttpResponse(status=204)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return _home()


@require_GET
@shows_errors
def campaign_preview(request, campaign_id: int):
    campaign, worker = _campaign_and_worker(request, campaign_id)
    if worker is None:
        return _to_login(request)
    task = task_peek_next(campaign=campaign, worker=worker)
    if task is None:
        raise Conflict("No task is available for you in this campaign.", code="no-task-available")
    context = {"campaign": campaign, "task": task, "auto_accept": _auto_accept(request)}
    if task.job_id:
        context["screens"] = screen_views(job_screens(job_id=task.job_id))
        return _job_response(render(request, "worker/preview.html", context))
    return render(request, "worker/preview.html", context)


@require_GET
@xframe_options_sameorigin
@login_required
@shows_errors
def task_preview_frame(request, task_id: int):
    task = task_get_for_preview(worker=request.user, pk=task_id)
    html = frames.frame_document(
        template=task.campaign.project.html_template, values=task.input, preview=True
    )
    response = HttpResponse(html)
    response["Content-Security-Policy"] = frames.frame_csp(preview=True)
    return response


@require_POST
@shows_errors
def campaign_accept_next(request, campaign_id: int):
    campaign, worker = _campaign_and_worker(request, campaign_id)
    if worker is None:
        return HttpResponseRedirect(
            f"{reverse('worker:login')}?{urlencode({'next': reverse('worker:home')})}"
        )
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    return redirect("worker:assignment", assignment_id=assignment.pk)


@require_POST
@login_required
@shows_errors
def task_accept(request, task_id: int):
    task = task_get_for_preview(worker=request.user, pk=task_id)
    assignment = assignment_claim(task=task, worker=request.user)
    return redirect("worker:assignment", assignment_id=assignment.pk)


@require_POST
@login_required
@shows_errors
def task_skip_view(request, task_id: int):
    task = task_get_for_preview(worker=request.user, pk=task_id)
    assignment_skip(task=task, worker=request.user)
    messages.info(request, "Task skipped; it will be offered to you again after the others.")
    return redirect("worker:campaign_preview", campaign_id=task.campaign_id)


@require_GET
@login_required
@shows_errors
def assignment_page(request, assignment_id: int):
    assignment = assignment_get_for_worker(worker=request.user, pk=assignment_id)
    now = timezone.now()
    if not submittable(assignment, now=now):
        messages.info(request, _not_open_message(assignment))
        return redirect("worker:history")
    is_redo = assignment.state == AssignmentState.SOFT_REJECTED
    if assignment.task.job_id:
        return _job_page(request, assignment, is_redo)
    query = {
        "assignmentId": assignment.pk,
        "hitId": assignment.task_id,
        "workerId": assignment.worker_id,
        "urlSubmitTo": request.build_absolute_uri(reverse("worker:submit", args=[assignment.pk])),
    }
    context = {
        "assignment": assignment,
        "campaign": assignment.campaign,
        "is_redo": is_redo,
        "deadline": assignment.redo_until if is_redo else assignment.expires_at,
        "frame_url": f"{reverse('worker:frame', args=[assignment.pk])}?{urlencode(query)}",
        "sandbox": frames.SANDBOX_WORK,
        "auto_accept": _auto_accept(request),
    }
    response = render(request, "worker/task.html", context)
    # Going back to it after a submit must ask again, not show a stale task with a running countdown.
    response["Cache-Control"] = "no-store"
    return response


# A job's page is the platform's own markup (component templates and scripts from /static/); the one
# piece of requester markup in it, Html text, is sanitised. This policy is the second line: even markup
# that slipped through could run no script and send nothing anywhere but here.
JOB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src * data: blob:; "
    "media-src * data: blob:; connect-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)


def _job_response(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = JOB_CSP
    response["Cache-Control"] = "no-store"
    return response


def _job_page(request, assignment, is_redo: bool) -> HttpResponse:
    context = {
        "assignment": assignment,
        "campaign": assignment.campaign,
        "is_redo": is_redo,
        "deadline": assignment.redo_until if is_redo else assignment.expires_at,
        "screens": screen_views(job_screens(job_id=assignment.task.job_id)),
        "submit_url": reverse("worker:answers", args=[assignment.pk]),
        "upload_url": reverse("api:work-media-upload", kwargs={"assignment_id": assignment.pk}),
        "earlier_answers": assignment.answers if is_redo else None,
        "auto_accept": _auto_accept(request),
    }
    return _job_response(render(request, "worker/job.html", context))


def _not_open_message(assignment) -> str:
    if assignment.state in (AssignmentState.ACCEPTED, AssignmentState.SOFT_REJECTED) and not (
        CAMPAIGN_TAKES_RESULTS.holds(assignment)
    ):
        return "The campaign was cancelled; there is nothing more to do on this task."
    if assignment.state == AssignmentState.ACCEPTED:
        return "Time ran out for this task, so it went back to the pool."
    if assignment.state == AssignmentState.SOFT_REJECTED:
        return "The time to redo this task has run out."
    return f"This task is {assignment.get_state_display().lower()}; there is nothing more to do on it."


def _frame_message(text: str, status: int) -> HttpResponse:
    response = HttpResponse(frames.frame_message(text), status=status)
    response["Content-Security-Policy"] = frames.frame_csp(preview=True)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@xframe_options_sameorigin
@login_required
def assignment_frame(request, assignment_id: int):
    # Whatever goes wrong is said inside the frame in a line, not with a second copy of the site.
    try:
        assignment = assignment_get_for_worker(worker=request.user, pk=assignment_id)
    except ApplicationError as exc:
        return _frame_message(exc.message, exc.status)
    if not submittable(assignment, now=timezone.now()):
        return _frame_message(_not_open_message(assignment), 409)
    hidden = {
        "assignmentId": assignment.pk,
        "hitId": assignment.task_id,
        "workerId": assignment.worker_id,
        frames.TOKEN_FIELD: frames.submit_token_make(assignment=assignment),
        frames.AUTO_NEXT_FIELD: "1" if _auto_accept(request) else "0",
    }
    is_redo = assignment.state == AssignmentState.SOFT_REJECTED
    html = frames.frame_document(
        template=assignment.campaign.project.html_template,
        values=assignment.task.input,
        submit_url=reverse("worker:submit", args=[assignment.pk]),
        hidden=hidden,
        prefill=assignment.answers if is_redo else None,
    )
    response = HttpResponse(html)
    response["Content-Security-Policy"] = frames.frame_csp(preview=False)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def assignment_submit_view(request, assignment_id: int):
    """The framed form posts here from an opaque origin, authenticated by its signed token, not the session."""
    assignment = assignment_get_for_submit(pk=assignment_id, token=request.POST.get(frames.TOKEN_FIELD, ""))
    # The answer to this post comes without the worker's session (the post came from the frame's opaque
    # origin), so any outcome is a redirect: the page it leads to is loaded with the session again.
    if assignment is None:
        messages.error(
            request,
            "This form can no longer be submitted: it was already sent, or it is out of date. "
            "Open the task again from your tasks.",
        )
        return _home()
    worker = assignment.worker
    try:
        assignment_submit(
            assignment_id=assignment.pk, worker=worker, answers=frames.answers_from_post(request.POST)
        )
    except ApplicationError as exc:
        if exc.code == "assignment-expired":
            messages.error(
                request,
                "Time ran out for this task before your answers arrived, so they were not saved; "
                "the task went back to the pool.",
            )
        else:
            messages.error(request, exc.message)
        return _home()
    return redirect(
        _after_submit(request, assignment, worker, request.POST.get(frames.AUTO_NEXT_FIELD) == "1")
    )


def _after_submit(request, assignment, worker, auto_next: bool) -> str:
    """Where the worker goes after a submit: the next task of the campaign with auto-accept, else home."""
    messages.success(request, "Thank you — your answers were submitted.")
    if auto_next:
        try:
            following = assignment_claim_next(campaign_id=assignment.campaign.pk, worker=worker)
        except ApplicationError as exc:
            messages.info(request, exc.message)
        else:
            return reverse("worker:assignment", args=[following.pk])
    return reverse("worker:home")


def _json_error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(exc.as_item(), status=exc.status)


@require_POST
def assignment_answers_view(request, assignment_id: int):
    """A job page's answers, posted by its script as JSON with the session and the CSRF token.

    Answered in JSON: where to go next, or why the answers were refused (the component at fault, which
    the page shows in place). A refusal that ends the work (time up, already sent) sends the worker home
    with the message, as the template form's submit does.
    """
    if not request.user.is_authenticated:
        return JsonResponse(
            {
                "code": "not-authenticated",
                "message": "You were logged out. Log in again and reopen the task.",
            },
            status=401,
        )
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return _json_error(ValidationFailed("The answers are not valid JSON.", code="invalid-json"))
    answers = body.get("answers") if isinstance(body, dict) else None
    try:
        assignment = assignment_submit(assignment_id=assignment_id, worker=request.user, answers=answers)
    except ValidationFailed as exc:
        return _json_error(exc)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return JsonResponse({**exc.as_item(), "redirect": reverse("worker:home")}, status=exc.status)
    return JsonResponse({"redirect": _after_submit(request, assignment, request.user, _auto_accept(request))})


def _give_back(request, assignment_id: int, service, done: str):
    assignment = service(assignment_id=assignment_id, worker=request.user)
    messages.info(request, done)
    if _auto_accept(request):
        try:
            following = assignment_claim_next(campaign_id=assignment.campaign.pk, worker=request.user)
        except ApplicationError as exc:
            messages.info(request, exc.message)
        else:
            return redirect("worker:assignment", assignment_id=following.pk)
    return _home()


@require_POST
@login_required
@shows_errors
def assignment_return_view(request, assignment_id: int):
    return _give_back(request, assignment_id, assignment_return, "Task returned.")


@require_POST
@login_required
@shows_errors
def assignment_skip_view(request, assignment_id: int):
    return _give_back(
        request, assignment_id, assignment_skip, "Task skipped; it will be offered to you again later."
    )


@require_GET
@login_required
def assignments(request):
    context = {
        "open_assignments": assignment_list_open(worker=request.user),
        "redo_assignments": assignment_list_redo(worker=request.user),
    }
    return render(request, "worker/assignments.html", context)


@require_GET
@login_required
def history(request):
    page = Paginator(assignment_list_history(worker=request.user), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "stats": worker_stats(worker=request.user), "now": timezone.now()}
    return render(request, "worker/history.html", context)


@require_GET
@login_required
def payments(request):
    page = Paginator(payment_list(worker=request.user), PAYMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    names = campaign_names(page.object_list)
    for entry in page.object_list:
        entry.campaign_name = names.get(entry.campaign_id, "")
    context = {"page": page, "earnings": worker_earnings(worker=request.user)}
    return render(request, "worker/payments.html", context)
