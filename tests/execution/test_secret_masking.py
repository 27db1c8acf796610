"""Secret masking: values resolved from ``EnvVar`` never reach what a run stores or prints.

The secrets are leaked by user code (``hwexec_secrets``) through every channel a run records;
the tests read back the instance (its events, and every byte of every file under it), the
compute logs, the console and the CLI, in process, in spawned workers and in forked workers.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

import headwater as dg
from headwater.cli.main import cli
from headwater.execution.compute_logs import read_compute_log
from headwater.execution.secrets import MASK, MIN_SECRET_LENGTH, SecretMasker

from . import hwexec_secrets as code

TOKEN = "hw-s3cret/T0ken+value"  # '/' and '+' spell differently URL-quoted
PIN = "73105824"

EXECUTORS = {
    "in_process": {"execution": {"config": {"in_process": {}}}},
    "multiprocess": {"execution": {"config": {"multiprocess": {}}}},
    "fork": {"execution": {"config": {"multiprocess": {"start_method": "fork"}}}},
}


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(code.TOKEN_ENV, TOKEN)
    monkeypatch.setenv(code.PIN_ENV, PIN)


def _leaks(blob: bytes) -> list[str]:
    """Which spelling of a secret ``blob`` contains (none: [])."""
    spellings = {TOKEN, PIN, json.dumps(TOKEN)[1:-1], quote(TOKEN, safe="")}
    return [s for s in spellings if s.encode() in blob]


def _files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _stored_rows(instance) -> bytes:
    """Every value of the runs' and events' rows, as stored (SQLite or PostgreSQL)."""
    chunks = []
    with instance.database.read_cursor() as cursor:
        for table in ("runs", "run_tags", "event_logs"):
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                chunks += [bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode()
                           for v in row]
    return b"\n".join(chunks)


def _assert_nothing_stored_in_clear(instance, *, with_compute_logs: bool = True) -> None:
    """Every stored row, and every byte of every file under the instance (the SQLite database
    and its WAL, compute logs)."""
    rows = _stored_rows(instance)
    assert MASK.encode() in rows and not _leaks(rows)
    files = _files_under(Path(instance.root_directory))
    assert any(name.startswith("compute_logs") for name in files) == with_compute_logs
    for name, blob in files.items():
        assert not _leaks(blob), f"{name} holds a secret in clear"


def _run_secret_job(instance, executor: str):
    recon = dg.reconstructable(code.hwexec_secret_defs.get_job_def("hwexec_secret_job"))
    return dg.execute_job(recon, instance, run_config=EXECUTORS[executor])


def _by_type(entries, event_type):
    return [e for e in entries if e.dagster_event is not None
            and e.dagster_event.event_type_value == event_type]


@pytest.mark.parametrize("executor", sorted(EXECUTORS))
def test_secrets_are_masked_in_everything_a_run_records(instance, secrets, executor, capfd):
    with _run_secret_job(instance, executor) as result:
        assert not result.success  # hwexec_leaky_failure raises, on purpose
        run_id = result.run_id
    entries = instance.all_logs(run_id)

    logs = [e.user_message for e in entries if e.dagster_event is None]
    assert f"calling with token {MASK} and pin {MASK}" in logs
    assert f"gateway password {MASK}" in logs

    (materialization,) = _by_type(entries, "ASSET_MATERIALIZATION")
    md = materialization.asset_materialization.metadata
    assert md["token"] == dg.MetadataValue.text(MASK)
    assert md["pin"] == dg.MetadataValue.text(MASK)  # an int secret, masked as text
    assert md["url"] == dg.MetadataValue.url(f"https://example.com/?key={MASK}")
    assert md["json"] == dg.MetadataValue.json({"auth": {"token": MASK}, "list": [MASK]})
    assert md["md"] == dg.MetadataValue.md(f"**{MASK}**")
    assert md["rows"] == dg.MetadataValue.int(3)  # not a secret: untouched

    (observation,) = _by_type(entries, "ASSET_OBSERVATION")
    assert observation.asset_observation.metadata["seen"] == dg.MetadataValue.text(MASK)

    (check,) = _by_type(entries, "ASSET_CHECK_EVALUATION")
    evaluation = check.asset_check_evaluation
    assert evaluation.description == f"checked with {MASK}"
    assert evaluation.metadata["checked_with"] == dg.MetadataValue.text(MASK)

    (failure,) = _by_type(entries, "STEP_FAILURE")
    assert failure.message.endswith(f"RuntimeError: authentication failed for '{MASK}'")
    error = failure.dagster_event.step_failure_data.error
    assert error.cause.message == f"RuntimeError: authentication failed for '{MASK}'\n"
    assert error.cause.cause.message == f"KeyError: '{MASK}'\n"

    assert read_compute_log(instance, run_id, "hwexec_leaky") == f"stdout token={MASK}\n"
    # (in a worker, Python's last-resort handler also writes the warning to stderr: masked)
    assert f"stderr pin={MASK}\n" in read_compute_log(instance, run_id, "hwexec_leaky", "stderr")
    _assert_nothing_stored_in_clear(instance)

    console = capfd.readouterr()  # the mirrors: prints and log lines, from whichever process
    assert f"stdout token={MASK}" in console.out
    assert not _leaks((console.out + console.err).encode())


def test_the_result_in_memory_is_masked_too(instance, secrets):
    result = code.hwexec_secret_defs.get_job_def("hwexec_secret_job").execute_in_process(
        instance=instance, raise_on_error=False)
    materialization = result.asset_materializations_for_node("hwexec_leaky")[0]
    assert materialization.metadata["token"] == dg.MetadataValue.text(MASK)
    for event in result.all_events:
        assert not _leaks(repr(event.event_specific_data).encode() + (event.message or "").encode())


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_op_outputs_and_hooks_are_masked(instance, secrets, executor):
    recon = dg.reconstructable(code.hwexec_secret_op_job)
    with dg.execute_job(recon, instance, run_config=EXECUTORS[executor]) as result:
        assert result.success
        run_id = result.run_id
    entries = instance.all_logs(run_id)
    logs = [e.user_message for e in entries if e.dagster_event is None]
    assert logs == [f"op token {MASK}", f"hook token {MASK}"]
    _assert_nothing_stored_in_clear(instance, with_compute_logs=False)


def test_the_console_log_mirror_is_masked(instance, secrets, caplog):
    with caplog.at_level(logging.INFO, logger="headwater"):
        code.hwexec_secret_defs.get_job_def("hwexec_secret_job").execute_in_process(
            instance=instance, raise_on_error=False)
    messages = [r.getMessage() for r in caplog.records]
    assert f"hwexec_leaky - calling with token {MASK} and pin {MASK}" in messages
    assert not any(_leaks(m.encode()) for m in messages)


def test_cli_run_show_and_run_logs_never_show_the_secret(home, secrets):
    """(The CLI reads the instance of $HEADWATER_HOME: SQLite.)"""
    with dg.Instance.get() as instance, _run_secret_job(instance, "in_process") as result:
        run_id = result.run_id
    runner = CliRunner()
    show = runner.invoke(cli, ["run", "show", run_id], catch_exceptions=False)
    assert f"calling with token {MASK}" in show.output
    assert f"authentication failed for '{MASK}'" in show.output
    out = runner.invoke(cli, ["run", "logs", run_id], catch_exceptions=False)
    assert f"stdout token={MASK}" in out.output
    err = runner.invoke(cli, ["run", "logs", run_id, "--stderr"], catch_exceptions=False)
    assert f"stderr pin={MASK}" in err.output
    for output in (show.output, out.output, err.output):
        assert not _leaks(output.encode())


def test_a_value_not_read_from_the_environment_is_stored_as_before(instance):
    """The same code given the values directly: nothing masked, nothing changed."""
    resources = {"api": code.HwexecApi(token=TOKEN, pin=int(PIN)),
                 "gateway": code.HwexecGateway(password=TOKEN,
                                               api=code.HwexecApi(token=TOKEN, pin=int(PIN)))}
    result = dg.materialize([code.hwexec_leaky], resources=resources, instance=instance)
    entries = instance.all_logs(result.run_id)
    logs = [e.user_message for e in entries if e.dagster_event is None]
    assert f"calling with token {TOKEN} and pin {PIN}" in logs
    (materialization,) = _by_type(entries, "ASSET_MATERIALIZATION")
    assert materialization.asset_materialization.metadata["token"] == dg.MetadataValue.text(TOKEN)
    assert read_compute_log(instance, result.run_id, "hwexec_leaky") == f"stdout token={TOKEN}\n"
    assert not any(MASK in (e.message or "") for e in entries)


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_secret_in_a_resource_set_up_failure_is_masked(instance, secrets, executor):
    """In process the run fails before any step; in a worker, the step fails."""
    recon = dg.reconstructable(code.hwexec_refusing_job)
    with dg.execute_job(recon, instance, run_config=EXECUTORS[executor]) as result:
        assert not result.success
        run_id = result.run_id
    failures = [e for e in instance.all_logs(run_id) if e.dagster_event is not None
                and e.dagster_event.is_failure]
    with_error = [e for e in failures if e.dagster_event.step_failure_data is not None]
    assert with_error
    for entry in with_error:
        assert f"server refused {MASK}" in entry.message
        assert f"server refused {MASK}" in str(entry.dagster_event.step_failure_data.error)
    _assert_nothing_stored_in_clear(instance, with_compute_logs=False)


# ------------------------------------------------------------------ the masker itself

def test_values_shorter_than_the_threshold_are_not_masked():
    assert SecretMasker.build(["ab", "xyz", 7, "1234"[:MIN_SECRET_LENGTH - 1]]) is None
    masker = SecretMasker.build(["ab", "s3cr3t"])
    assert masker is not None
    assert masker.text("ab s3cr3t abc") == f"ab {MASK} abc"


def test_substrings_ints_and_the_longest_secret_first():
    masker = SecretMasker.build(["token", "token-and-more", 123456, True, None])
    assert masker is not None
    assert masker.text("xtoken-and-morex token 91234567") == f"x{MASK}x {MASK} 9{MASK}7"
    assert masker.text("True None") == "True None"  # booleans and None are no secrets


def test_escaped_spellings_of_a_secret_are_masked():
    secret = 'pa"ss\\w/rd ü'
    masker = SecretMasker.build([secret])
    assert masker is not None
    for text in (secret, repr(secret), json.dumps(secret), json.dumps(secret, ensure_ascii=False),
                 quote(secret, safe="")):
        assert secret not in masker.text(text)
        assert MASK in masker.text(text)
    key = "-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----"
    masker = SecretMasker.build([key])
    assert masker is not None
    assert masker.text("line: AAAABBBBCCCC") == f"line: {MASK}"


def test_data_without_a_secret_is_returned_unchanged():
    masker = SecretMasker.build(["s3cr3t-value"])
    assert masker is not None
    data = {"a": [1, "plain", {"b": dg.MetadataValue.json({"c": "x"})}]}
    assert masker.data(data) is data
    materialization = dg.AssetMaterialization("k", metadata={"x": 1, "y": "text"})
    assert masker.data(materialization) is materialization


def test_a_run_without_environment_secrets_does_not_load_the_masker(tmp_path):
    """The common case pays nothing: no masker is built, its module is not even imported."""
    script = (
        "import sys, headwater as dg\n"
        "class Api(dg.ConfigurableResource):\n"
        "    token: str\n"
        "@dg.asset\n"
        "def a(context, api: Api) -> int:\n"
        "    context.log.info(api.token)\n"
        "    return 1\n"
        "with dg.instance_for_test() as instance:\n"
        "    dg.materialize([a], resources={'api': Api(token='plain-value')}, instance=instance)\n"
        "print('headwater.execution.secrets' in sys.modules)\n")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(root)},
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
