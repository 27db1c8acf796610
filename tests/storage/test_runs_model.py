"""The run model without a database: statuses, the transitions table, Run properties."""

from __future__ import annotations

import pytest

from headwater.definitions.errors import InvariantViolationError
from headwater.storage import FINISHED_STATUSES, TRANSITIONS, Run, RunStatus, check_transition
from headwater.storage.runs import RESUME_RETRY_TAG, is_legal_transition


def test_status_values_are_dagsters():
    assert [s.value for s in RunStatus] == [
        "QUEUED", "NOT_STARTED", "MANAGED", "STARTING", "STARTED", "SUCCESS", "FAILURE",
        "CANCELING", "CANCELED", "SUSPENDED"]
    assert RunStatus("SUCCESS") is RunStatus.SUCCESS and RunStatus.SUCCESS == "SUCCESS"


def test_table_covers_every_status_and_finished_are_terminal():
    assert set(TRANSITIONS) | FINISHED_STATUSES == set(RunStatus)
    assert not set(TRANSITIONS) & FINISHED_STATUSES
    for finished in FINISHED_STATUSES:
        for other in RunStatus:
            assert is_legal_transition(finished, other) == (other == finished)


@pytest.mark.parametrize("current,new", [
    ("NOT_STARTED", "STARTING"), ("NOT_STARTED", "STARTED"), ("NOT_STARTED", "FAILURE"),
    ("NOT_STARTED", "CANCELED"), ("QUEUED", "NOT_STARTED"), ("QUEUED", "STARTING"),
    ("QUEUED", "CANCELED"), ("QUEUED", "FAILURE"), ("STARTING", "STARTED"), ("STARTING", "QUEUED"),
    ("STARTING", "FAILURE"), ("STARTING", "CANCELING"), ("STARTING", "CANCELED"),
    ("STARTED", "SUCCESS"), ("STARTED", "FAILURE"), ("STARTED", "CANCELING"),
    ("CANCELING", "CANCELED"), ("CANCELING", "FAILURE")])
def test_legal(current, new):
    assert check_transition("r", current, new) is True


@pytest.mark.parametrize("current,new", [
    ("NOT_STARTED", "SUCCESS"), ("QUEUED", "STARTED"), ("STARTED", "QUEUED"),
    ("STARTING", "SUCCESS"), ("SUCCESS", "FAILURE"), ("FAILURE", "STARTED"),
    ("CANCELED", "STARTED"), ("CANCELING", "STARTED")])
def test_illegal_names_run_and_both_states(current, new):
    with pytest.raises(InvariantViolationError) as info:
        check_transition("run-123", current, new)
    assert "run-123" in str(info.value) and current in str(info.value) and new in str(info.value)


def test_same_status_is_not_a_move():
    assert check_transition("r", "SUCCESS", RunStatus.SUCCESS) is False


def test_run_properties():
    run = Run("job", tags={RESUME_RETRY_TAG: "true"})
    assert run.status == RunStatus.NOT_STARTED and len(run.run_id) == 36
    assert run.is_resume_retry and not run.is_cancelable
    started = run.with_status("STARTED")
    assert started.is_cancelable and not started.is_finished and run.status == "NOT_STARTED"
    done = started.with_status(RunStatus.FAILURE)
    assert done.is_finished and done.is_failure and done.is_failure_or_canceled
    assert not done.is_success
    # hashable despite its dicts; equal only when every field is
    assert run != started and len({run, run.with_status("NOT_STARTED")}) == 1
    assert Run.tags_for_backfill_id("b1") == {"dagster/backfill": "b1"}
    with pytest.raises(AttributeError):
        run.status = RunStatus.SUCCESS  # type: ignore[misc]
