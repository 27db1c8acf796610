"""An IO manager's failure says so: a shipped IO manager's storage failure (a missing or
damaged value, a full disk) is not the user's code and names the asset and the path; a user's
IO manager that raises is the user's code, and the step's failure says it was the IO manager."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import headwater as dg
from headwater.execution.pickle_io import IOManagerStorageError, StoredValueNotFoundError


@dg.asset
def upstream() -> int:
    return 3


@dg.asset
def downstream(upstream: int) -> int:
    return upstream * 2


def _failure(instance, run_id):
    failure, = instance.all_logs(run_id, of_type="STEP_FAILURE")
    return failure, failure.dagster_event.event_specific_data


def test_loading_a_value_never_stored_names_the_asset_and_path(instance):
    result = dg.materialize([upstream, downstream], selection="downstream", instance=instance,
                            raise_on_error=False)
    assert not result.success
    failure, data = _failure(instance, result.run_id)
    path = Path(instance.storage_directory()) / "upstream"
    assert failure.message == (
        'Execution of step "downstream" failed: IO manager \'io_manager\' (PickleFilesIOManager) '
        f"could not load the stored value of asset 'upstream' from {path}: nothing is stored "
        "there: materialize it first")
    assert data.error_source == "FRAMEWORK_ERROR"
    assert data.error.cls_name == "StoredValueNotFoundError"


def test_a_damaged_stored_value_says_to_materialize_it_again(instance):
    assert dg.materialize([upstream], instance=instance).success
    path = Path(instance.storage_directory()) / "upstream"
    path.write_bytes(path.read_bytes()[:3])  # cut short behind Headwater's back
    result = dg.materialize([upstream, downstream], selection="downstream", instance=instance,
                            raise_on_error=False)
    failure, data = _failure(instance, result.run_id)
    assert "the stored file is damaged" in failure.message and str(path) in failure.message
    assert "Materialize it again" in failure.message
    assert data.error_source == "FRAMEWORK_ERROR"


class FailsToStore(dg.IOManager):
    def handle_output(self, context, obj):
        raise ValueError("the lake is frozen")

    def load_input(self, context):
        return 0


class FailsToLoad(dg.IOManager):
    def handle_output(self, context, obj):
        pass

    def load_input(self, context):
        raise ValueError("the lake is dry")


def test_a_user_io_manager_that_fails_to_store_is_named_in_the_failure(instance):
    result = dg.materialize([upstream], instance=instance, raise_on_error=False,
                            resources={"io_manager": FailsToStore()})
    failure, data = _failure(instance, result.run_id)
    assert failure.message == (
        'Execution of step "upstream" failed: IO manager \'io_manager\' (FailsToStore) could '
        "not store the returned int of asset 'upstream': ValueError: the lake is frozen")
    assert data.error_source == "USER_CODE_ERROR"  # an IO manager of the user's is user code
    assert data.error.cause.cls_name == "ValueError"


def test_a_user_io_manager_that_fails_to_load_is_named_in_the_failure(instance):
    result = dg.materialize([upstream, downstream], instance=instance, raise_on_error=False,
                            resources={"io_manager": FailsToLoad()})
    failure, data = _failure(instance, result.run_id)
    assert failure.message == (
        'Execution of step "downstream" failed: IO manager \'io_manager\' (FailsToLoad) could '
        "not load input 'upstream': ValueError: the lake is dry")
    assert data.error_source == "USER_CODE_ERROR"


@pytest.mark.parametrize("cls", [IOManagerStorageError, StoredValueNotFoundError])
def test_storage_errors_cross_processes_whole(cls):
    """A worker process sends its step's error to the launcher pickled."""
    error = cls("store", "the output of asset 'a'", "/data/a", "FilesystemIOManager",
                OSError(28, "No space left on device"))
    error.io_manager_key = "io_manager"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls and str(copy) == str(error) and copy.errno == error.errno
    assert "the disk is full" in str(copy) and copy.path == "/data/a"
    assert isinstance(copy, OSError)
    if cls is StoredValueNotFoundError:
        assert isinstance(copy, FileNotFoundError)
