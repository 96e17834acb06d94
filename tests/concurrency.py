"""Running calls at the same moment in threads, each on a database connection of its own (tests marked
``django_db(transaction=True)``, so that every thread sees what the test committed)."""

import threading
from collections.abc import Callable


def at_once(*calls: Callable[[], object], timeout: float = 60) -> list[object]:
    """Start every call at the same moment and wait for all; what each returned or raised, in order."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        from django.db import connections

        try:
            start.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed to the test as the outcome
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes


def failures(outcomes: list[object]) -> list[Exception]:
    return [outcome for outcome in outcomes if isinstance(outcome, Exception)]
