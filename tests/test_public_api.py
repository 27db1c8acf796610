"""The public API guard: ``headwater.__all__`` is this list, and ``import headwater`` stays light.

Adding or removing a public name must update ``EXPECTED_PUBLIC_NAMES`` here, on purpose
(STYLE.md 9: a test guards the public API so it never drifts by accident).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import headwater
from headwater._api_table import PUBLIC_NAMES

EXPECTED_PUBLIC_NAMES = [
    "AddDynamicPartitionsRequest", "AllPartitionMapping", "AnchorBasedFilePathMapping", "Any",
    "Array", "AssetCheckEvaluation", "AssetCheckExecutionContext", "AssetCheckFailedError",
    "AssetCheckKey", "AssetCheckResult", "AssetCheckSeverity", "AssetCheckSpec",
    "AssetChecksDefinition", "AssetDep", "AssetExecutionContext", "AssetIn", "AssetKey",
    "AssetMaterialization", "AssetMetadataValue", "AssetObservation", "AssetOut",
    "AssetPartitionStatus", "AssetRecordsFilter", "AssetSelection", "AssetSensorDefinition",
    "AssetSpec", "AssetsDefinition", "AutomationCondition", "BackfillPolicy", "Backoff",
    "BetaWarning", "BoolMetadataValue", "BoolSource", "CodeReferencesMetadataValue", "Config",
    "ConfigArgumentWarning", "ConfigurableIOManager", "ConfigurableIOManagerFactory",
    "ConfigurableResource", "ConfigurableResourceFactory", "DagsterAssetMetadataValue",
    "DagsterError", "DagsterEvent", "DagsterEventType", "DagsterExecutionInterruptedError",
    "DagsterExecutionStepExecutionError", "DagsterExecutionStepNotFoundError",
    "DagsterInstance", "DagsterInvalidConfigDefinitionError", "DagsterInvalidConfigError",
    "DagsterInvalidDefinitionError", "DagsterInvalidInvocationError",
    "DagsterInvalidPropertyError", "DagsterInvalidSubsetError",
    "DagsterInvariantViolationError", "DagsterResourceFunctionError", "DagsterRun",
    "DagsterRunNotFoundError", "DagsterRunStatus", "DagsterStepOutputNotFoundError",
    "DagsterType", "DagsterTypeCheckDidNotPass", "DagsterTypeCheckError",
    "DagsterUnknownPartitionError", "DagsterUnknownResourceError",
    "DagsterUserCodeExecutionError", "DailyPartitionsDefinition", "DataVersion",
    "DefaultScheduleStatus", "DefaultSensorStatus", "Definitions",
    "DeleteDynamicPartitionsRequest", "DimensionPartitionMapping", "DynamicOut",
    "DynamicOutput", "DynamicPartitionsDefinition", "Enum", "EnumValue", "EnvVar", "Event",
    "EventLogEntry", "EventLogRecord", "EventRecordsFilter", "EventRecordsResult", "EventType",
    "ExecuteInProcessResult", "ExecutionInterruptedError", "ExecutionStepExecutionError",
    "ExecutionStepNotFoundError", "ExecutorDefinition", "ExpectationResult", "Failure",
    "Field", "FilePathMapping", "FilesystemIOManager", "FloatMetadataValue", "FreshnessPolicy",
    "GraphDefinition", "GraphIn", "GraphOut", "HeadwaterError", "HookContext",
    "HookDefinition", "HourlyPartitionsDefinition", "IOManager", "IOManagerDefinition",
    "IdentityPartitionMapping", "In", "InMemoryIOManager", "InitLoggerContext",
    "InitResourceContext", "InputContext", "InputManager", "Instance", "IntMetadataValue",
    "IntSource", "InvalidConfigDefinitionError", "InvalidConfigError",
    "InvalidDefinitionError", "InvalidInvocationError", "InvalidPropertyError",
    "InvalidSubsetError", "InvariantViolationError", "Jitter", "JobDefinition",
    "JsonMetadataValue", "LastPartitionMapping", "LocalFileCodeReference", "LoggerDefinition",
    "Map", "MarkdownMetadataValue", "MaterializeResult", "MetadataValue",
    "MonthlyPartitionsDefinition", "MultiAssetSensorAssetCursorComponent",
    "MultiAssetSensorDefinition", "MultiAssetSensorEvaluationContext", "MultiPartitionKey",
    "MultiPartitionMapping", "MultiPartitionsDefinition",
    "MultiToSingleDimensionPartitionMapping", "Noneable", "Nothing", "NullMetadataValue",
    "ObserveResult", "OpDefinition", "OpExecutionContext", "Out", "Output", "OutputContext",
    "OutputManager", "PartitionKeyRange", "PartitionMapping", "PartitionsDefinition",
    "PathMetadataValue", "Permissive", "PermissiveConfig", "PickledObjectFilesystemIOManager",
    "PreviewWarning", "ReexecutionOptions", "ResourceDefinition", "ResourceDependency",
    "ResourceFunctionError", "ResourceParam", "RetryPolicy", "RetryRequested", "Run",
    "RunConfig", "RunFailureSensorContext", "RunNotFoundError", "RunRecord", "RunRequest",
    "RunStatus", "RunStatusChangeRecordsFilter", "RunStatusSensorContext",
    "RunStatusSensorDefinition", "RunsFilter", "ScheduleDefinition",
    "ScheduleEvaluationContext", "Selector", "SensorDefinition", "SensorEvaluationContext",
    "SensorResult", "Shape", "SkipReason", "SourceAsset", "SpecificPartitionsPartitionMapping",
    "StaticPartitionMapping", "StaticPartitionsDefinition", "StepOutputNotFoundError",
    "StorageError", "StringSource", "SupersessionWarning", "TableColumn",
    "TableColumnConstraints", "TableConstraints", "TableMetadataValue", "TableRecord",
    "TableSchema", "TableSchemaMetadataValue", "TextMetadataValue", "TimeWindow",
    "TimeWindowPartitionMapping", "TimeWindowPartitionsDefinition", "TimestampMetadataValue",
    "TypeCheck", "TypeCheckDidNotPass", "TypeCheckError", "UPathIOManager",
    "UnknownPartitionError", "UnknownResourceError", "UnresolvedAssetJobDefinition",
    "UrlCodeReference", "UrlMetadataValue", "UserCodeExecutionError",
    "WeeklyPartitionsDefinition", "asset", "asset_check", "asset_sensor",
    "build_asset_check_context", "build_asset_context", "build_init_logger_context",
    "build_init_resource_context", "build_input_context", "build_multi_asset_sensor_context",
    "build_op_context", "build_output_context", "build_reconstructable_job",
    "build_run_status_sensor_context", "build_schedule_context",
    "build_schedule_from_partitioned_job", "build_sensor_context", "colored_console_logger",
    "default_loggers", "define_asset_job", "definitions", "execute_job", "failure_hook",
    "file_relative_path", "fs_io_manager", "get_dagster_logger", "graph", "graph_asset",
    "graph_multi_asset", "in_process_executor", "instance_for_test", "io_manager", "job",
    "link_code_references_to_git", "load_asset_checks_from_modules",
    "load_asset_checks_from_package_module", "load_assets_from_current_module",
    "load_assets_from_modules", "load_assets_from_package_module",
    "load_assets_from_package_name", "load_definitions_from_modules", "load_from_defs_folder",
    "logger", "materialize", "materialize_to_memory", "mem_io_manager", "multi_asset",
    "multi_asset_check", "multi_asset_sensor", "multi_or_in_process_executor",
    "multiprocess_executor", "op", "reconstructable", "resource", "run_failure_sensor",
    "run_status_sensor", "schedule", "sensor", "success_hook", "with_resources",
    "with_source_code_references",
]

# Optional or heavy dependencies that ``import headwater`` alone must not load.
HEAVY_MODULES = ("pydantic", "sqlalchemy", "alembic", "rich", "pandas", "duckdb")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_expected_list_is_sorted_and_unique():
    assert EXPECTED_PUBLIC_NAMES == sorted(set(EXPECTED_PUBLIC_NAMES))


def test_all_is_exactly_the_expected_list():
    added = sorted(set(headwater.__all__) - set(EXPECTED_PUBLIC_NAMES))
    removed = sorted(set(EXPECTED_PUBLIC_NAMES) - set(headwater.__all__))
    assert (added, removed) == ([], []), "update EXPECTED_PUBLIC_NAMES on purpose"
    assert headwater.__all__ == EXPECTED_PUBLIC_NAMES


# ``definitions`` is both the subpackage and Dagster's decorator: once the subpackage is imported,
# ``headwater.definitions`` is the (callable) package, which forwards to the decorator.
CALLABLE_PACKAGES = {"definitions"}


def test_every_public_name_resolves_to_its_declared_home():
    broken = []
    for name in headwater.__all__:
        if name in CALLABLE_PACKAGES:
            continue
        try:
            value = getattr(headwater, name)
            home = getattr(importlib.import_module(PUBLIC_NAMES[name]), name)
        except Exception as e:  # noqa: BLE001 - collected and reported together
            broken.append(f"{name}: {type(e).__name__}: {e}")
            continue
        if value is not home:
            broken.append(f"{name}: headwater.{name} is not {PUBLIC_NAMES[name]}.{name}")
    assert broken == []


def test_definitions_is_both_the_package_and_the_decorator():
    from headwater.definitions.load import LazyDefinitions

    def build():
        return headwater.Definitions()

    assert isinstance(headwater.definitions(build), LazyDefinitions)


def test_definitions_stays_the_package_when_read_first():
    code = (
        "import sys\n"
        "import headwater as dg\n"
        "dg.definitions\n"
        "import headwater.definitions.asset_key\n"
        "assert dg.definitions is sys.modules['headwater.definitions'], dg.definitions\n"
        "print(headwater.definitions.asset_key.AssetKey.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO_ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "AssetKey"


def test_dir_lists_every_public_name():
    assert set(headwater.__all__) <= set(dir(headwater))


def test_unknown_attribute_is_an_attribute_error():
    try:
        headwater.NoSuchName  # noqa: B018
    except AttributeError as e:
        assert "NoSuchName" in str(e)
    else:
        raise AssertionError("headwater.NoSuchName resolved")


def test_dagster_spelled_names_come_only_from_compat():
    for name in headwater.__all__:
        from_compat = PUBLIC_NAMES[name] == "headwater.compat"
        assert ("Dagster" in name) == from_compat, name


def test_dagster_aliases_are_the_headwater_objects():
    assert headwater.DagsterError is headwater.HeadwaterError
    aliased = 0
    for name in headwater.__all__:
        if not name.startswith("Dagster"):
            continue
        own = name[len("Dagster"):]
        if own in PUBLIC_NAMES:
            assert getattr(headwater, name) is getattr(headwater, own), name
            aliased += 1
    assert aliased >= 20  # the errors, Instance, Run, RunStatus, Event, EventType, ...


def test_import_headwater_does_not_load_heavy_dependencies():
    code = (
        "import json, sys\n"
        "import headwater\n"
        f"print(json.dumps(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO_ROOT)
    assert json.loads(out.stdout) == []


def test_materializing_a_plain_asset_does_not_load_croniter():
    code = (
        "import sys\n"
        "import headwater as dg\n"
        "@dg.asset\n"
        "def one():\n"
        "    return 1\n"
        "dg.materialize([one])\n"
        "print('croniter' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO_ROOT)
    assert out.stdout.strip() == "False"
