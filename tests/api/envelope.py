"""Reading the seed 003 envelope in tests."""


def body(response):
    """The payload of a successful enveloped response, checking the envelope on the way."""
    payload = response.json()
    assert payload["status"] == "success", payload
    assert payload["errors"] == []
    return payload["data"]


def seed_item(item: dict) -> dict:
    """An error item in the seed's keys, after checking that it also carries OrderlyWeb's: ``error`` and
    ``detail`` repeat ``code`` and ``message`` in every native error item."""
    assert item["error"] == item["code"] and item["detail"] == item["message"], item
    return {key: value for key, value in item.items() if key not in ("error", "detail")}


def error(response):
    """The single error item of a failed enveloped response (in the seed's keys, see ``seed_item``)."""
    payload = response.json()
    assert payload["status"] == "failure", payload
    assert payload["data"] is None
    assert len(payload["errors"]) == 1, payload["errors"]
    return seed_item(payload["errors"][0])
