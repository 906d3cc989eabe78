"""`tongban worker` starts Huey's consumer; exactly one worker of a deployment runs
the periodic jobs, chosen by --periodic/--no-periodic or WORKER_PERIODIC."""

import pytest
from django.core.management import call_command
from huey.contrib.djhuey import HUEY


@pytest.fixture
def consumer_options(monkeypatch):
    seen = {}

    class Stub:
        def run(self):
            pass

    def create_consumer(**options):
        seen.update(options)
        return Stub()

    monkeypatch.setattr(HUEY, "create_consumer", create_consumer)
    return seen


@pytest.mark.parametrize(("args", "setting", "periodic"), [
    ([], True, True),
    ([], False, False),
    (["--no-periodic"], True, False),
    (["--periodic"], False, True),
])
def test_the_worker_runs_periodic_jobs_only_where_told(args, setting, periodic, consumer_options, settings):
    settings.WORKER_PERIODIC = setting
    call_command("worker", *args, "--workers", "3")
    assert (consumer_options["periodic"], consumer_options["workers"]) == (periodic, 3)


def test_the_relay_sweep_is_a_periodic_job_due_every_minute():
    import datetime as dt

    from tongban.notify.tasks import relay_sweep

    assert relay_sweep.task_class in HUEY._registry._periodic_tasks
    task = relay_sweep.s()
    # huey hands periodic checks naive times
    assert all(task.validate_datetime(dt.datetime(2026, 11, 23, 10, m)) for m in (0, 1, 59))  # noqa: DTZ001
