"""``headwater definitions validate``."""

from __future__ import annotations

import re

from ._helpers import in_fixtures


def test_valid_definitions_print_a_summary():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_snow")
    assert result.exit_code == 0, result.output
    assert "5 assets, 1 check, 0 jobs, 1 resource (api)" in result.output


def test_duplicate_asset_key():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_duplicate")
    assert result.exit_code == 2
    assert "Duplicate asset key 'twin'" in result.output
    assert "hwcli_duplicate.twin_one" in result.output
    assert "Traceback" not in result.output


def test_cycle_is_printed():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_cycle")
    assert result.exit_code == 2
    assert "cycle" in result.output
    cycle = re.search(r"(hwcli_[abc])( -> hwcli_[abc]){3}", result.output)
    assert cycle is not None, result.output
    assert {"hwcli_a", "hwcli_b", "hwcli_c"} <= set(re.findall(r"hwcli_[abc]", cycle.group(0)))
    assert "Traceback" not in result.output
