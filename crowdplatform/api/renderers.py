from rest_framework.renderers import JSONRenderer

from .errors import envelope


class EnvelopeRenderer(JSONRenderer):
    """Wraps every native payload as ``{"status", "data", "errors"}`` (seed 003)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if (
            response is not None
            and not getattr(response, "enveloped", False)
            and not getattr(response, "raw", False)
        ):
            data = envelope(data=data)
        return super().render(data, accepted_media_type, renderer_context)
