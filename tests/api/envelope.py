"""Reading the seed 003 envelope in tests."""


def body(response):
    """The payload of a successful enveloped response, checking the envelope on the way."""
    payload = response.json()
    assert payload["status"] == "success", payload
    assert payload["errors"] == []
    return payload["data"]


def error(response):
    """The single error item of a failed enveloped response."""
    payload = response.json()
    assert payload["status"] == "failure", payload
    assert payload["data"] is None
    assert len(payload["errors"]) == 1, payload["errors"]
    return payload["errors"][0]
