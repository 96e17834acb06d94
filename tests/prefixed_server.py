"""A live server of the whole platform mounted under a path prefix, as behind a proxy that passes
``SCRIPT_NAME``: ``http://127.0.0.1:<port>/prefix/…`` reaches the app, anything outside the prefix is a 404.
Static files are served from the apps' static folders, as ``runserver`` serves them, below the prefix."""

import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.contrib.staticfiles import finders
from django.core.handlers.wsgi import WSGIHandler

PREFIX = "/prefix"
# Where the pages ask for static files when CROWD_PATH_PREFIX=/prefix (STATIC_URL carries the prefix).
STATIC = f"{PREFIX}/static/"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    # The browser opens several connections at once (page, scripts, styles, pictures).
    daemon_threads = True


def _static_file(path: str):
    """A file of the apps' static folders, by its path below STATIC_URL (as ``runserver`` finds them)."""
    found = finders.find(path) if ".." not in path else None
    if not found:
        return None
    return Path(found).read_bytes(), mimetypes.guess_type(found)[0] or "application/octet-stream"


def _under_prefix(app):
    def serve(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX + "/"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"outside the prefix"]
        if path.startswith(STATIC) and (static := _static_file(path[len(STATIC) :])):
            body, content_type = static
            start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
            return [body]
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = PREFIX, path[len(PREFIX) :]
        return app(environ, start_response)

    return serve


@contextmanager
def serve_under_prefix() -> Iterator[str]:
    """Serve the platform on a free port; yields its base URL, ending with the prefix (no slash)."""
    server = make_server(
        "127.0.0.1",
        0,
        _under_prefix(WSGIHandler()),
        server_class=_ThreadedServer,
        handler_class=_Quiet,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
