"""The local pollers' thread: a failed poll is logged and the next one still comes."""

import threading

from local_api.polling import PollingThread


def test_a_failed_poll_is_logged_and_polling_goes_on_until_stopped(caplog):
    calls: list[int] = []
    third = threading.Event()

    def poll() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("the first poll fails")
        if len(calls) == 3:
            third.set()

    poller = PollingThread("test-poller", poll, interval=0.01, failure="the test poll failed")
    poller.start()
    assert third.wait(timeout=5), calls
    poller.stop()

    assert "the test poll failed" in caplog.text


def test_stopping_a_poller_never_started_returns_at_once():
    PollingThread("never-started", lambda: None, interval=60, failure="unused").stop()
