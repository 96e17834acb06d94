"""Messages are made when a page uses them, and only then."""

from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from crowdplatform.middleware import LazyMessageMiddleware


def _served(view, cookies=None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    response = LazyMessageMiddleware(view)(request)
    return request, response


def test_a_request_that_never_touches_messages_makes_no_store():
    # given a view that neither adds nor reads a message (as every API view)
    # when it is served
    request, response = _served(lambda request: HttpResponse("ok"))
    # then the store was never made and the response carries no messages cookie
    assert request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_added_by_a_page_is_kept_for_the_next_one():
    # given a view that adds a message
    def view(request):
        messages.success(request, "Saved.")
        return HttpResponse("ok")

    # when it is served, and then a page that reads the messages
    _, response = _served(view)
    shown = []
    _served(
        lambda request: shown.extend(str(m) for m in messages.get_messages(request)) or HttpResponse(),
        cookies={"messages": response.cookies["messages"].value},
    )
    # then the second page shows the first one's message
    assert shown == ["Saved."]
