"""``headwater run reexecute RUN_ID --from-failure``."""

from tests.cli._helpers import in_fixtures, last_run


def test_reexecute_from_failure(tmp_path, monkeypatch):
    marker, calls = tmp_path / "ok", tmp_path / "calls"
    monkeypatch.setenv("HWCLI_REEXEC_OK_FILE", str(marker))
    monkeypatch.setenv("HWCLI_REEXEC_CALLS_FILE", str(calls))
    failed = in_fixtures("job", "execute", "-m", "hwcli_reexec", "-j", "reexec_job")
    assert failed.exit_code == 1
    parent = last_run()
    marker.write_text("now")
    calls.write_text("")
    result = in_fixtures("run", "reexecute", parent.run_id, "--from-failure", "-m", "hwcli_reexec")
    assert result.exit_code == 0, result.output
    assert calls.read_text().split() == ["second", "third"]
    child = last_run()
    assert child.parent_run_id == parent.run_id and child.is_success


def test_reexecute_needs_a_mode_and_a_known_run():
    assert in_fixtures("run", "reexecute", "x", "-m", "hwcli_reexec").exit_code == 2
    result = in_fixtures("run", "reexecute", "no-such-run", "--from-failure", "-m", "hwcli_reexec")
    assert result.exit_code == 2 and "no-such-run" in result.output
