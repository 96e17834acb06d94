import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdplatform.settings.local")
application = get_wsgi_application()

# Load every route and view now rather than on the first request, then keep what is loaded out of the
# garbage collector's full passes: they scan every object it tracks, and a large request (an import of a
# million records makes millions of objects) triggers several of them.
_routes = get_resolver().url_patterns
gc.freeze()
