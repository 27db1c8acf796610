"""Where each public name lives. ``headwater/__init__.py`` loads them on first access."""

_D = "headwater.definitions"
_E = "headwater.execution"

PUBLIC_NAMES: dict[str, str] = {
    # asset keys, specs, assets
    "AssetKey": f"{_D}.asset_key",
    "AssetSpec": f"{_D}.asset_spec", "AssetDep": f"{_D}.asset_spec", "AssetIn": f"{_D}.asset_spec",
    "AssetOut": f"{_D}.asset_spec",
    "asset": f"{_D}.assets", "multi_asset": f"{_D}.assets", "AssetsDefinition": f"{_D}.assets",
    "SourceAsset": f"{_D}.assets",
    # checks
    "asset_check": f"{_D}.checks", "multi_asset_check": f"{_D}.checks",
    "AssetCheckSpec": f"{_D}.checks", "AssetChecksDefinition": f"{_D}.checks",
    # results
    "Output": f"{_D}.results", "DynamicOutput": f"{_D}.results",
    "MaterializeResult": f"{_D}.results", "ObserveResult": f"{_D}.results",
    "AssetMaterialization": f"{_D}.results", "AssetObservation": f"{_D}.results",
    "AssetCheckResult": f"{_D}.results", "AssetCheckSeverity": f"{_D}.results",
    "AssetCheckKey": f"{_D}.results", "DataVersion": f"{_D}.results",
    "ExpectationResult": f"{_D}.results",
    # metadata
    "MetadataValue": f"{_D}.metadata", "TableColumn": f"{_D}.metadata",
    "TableColumnConstraints": f"{_D}.metadata", "TableConstraints": f"{_D}.metadata",
    "TableSchema": f"{_D}.metadata", "TableRecord": f"{_D}.metadata",
    "TextMetadataValue": f"{_D}.metadata", "IntMetadataValue": f"{_D}.metadata",
    "FloatMetadataValue": f"{_D}.metadata", "BoolMetadataValue": f"{_D}.metadata",
    "JsonMetadataValue": f"{_D}.metadata", "MarkdownMetadataValue": f"{_D}.metadata",
    "UrlMetadataValue": f"{_D}.metadata", "PathMetadataValue": f"{_D}.metadata",
    "TableMetadataValue": f"{_D}.metadata", "TableSchemaMetadataValue": f"{_D}.metadata",
    "NullMetadataValue": f"{_D}.metadata", "AssetMetadataValue": f"{_D}.metadata", "TimestampMetadataValue": f"{_D}.metadata",
    # config and resources
    "Config": f"{_D}.config", "PermissiveConfig": f"{_D}.config", "RunConfig": f"{_D}.run_config",
    "EnvVar": f"{_D}.config",
    "ConfigurableResource": f"{_D}.resources", "ConfigurableResourceFactory": f"{_D}.resources",
    "ResourceDefinition": f"{_D}.resource_defs", "ResourceParam": f"{_D}.resource_defs",
    "ResourceDependency": f"{_D}.resource_defs", "resource": f"{_D}.resource_defs",
    # IO managers
    "IOManager": f"{_D}.io_manager", "ConfigurableIOManager": f"{_D}.resources",
    "ConfigurableIOManagerFactory": f"{_D}.resources", "IOManagerDefinition": f"{_D}.io_manager",
    "InputManager": f"{_D}.io_manager", "OutputManager": f"{_D}.io_manager",
    "io_manager": f"{_D}.io_manager",
    "FilesystemIOManager": f"{_E}.io_managers", "InMemoryIOManager": f"{_E}.io_managers",
    "PickledObjectFilesystemIOManager": f"{_E}.io_managers",
    "UPathIOManager": f"{_E}.upath_io",
    "fs_io_manager": f"{_E}.io_managers", "mem_io_manager": f"{_E}.io_managers",
    "InputContext": _E, "OutputContext": _E, "build_input_context": _E, "build_output_context": _E,
    # ops (the op/graph/job API grows with the jobs issue)
    "In": f"{_D}.op", "Out": f"{_D}.op", "OpDefinition": f"{_D}.op", "DynamicOut": f"{_D}.op",
    "op": f"{_D}.ops", "graph": f"{_D}.graph", "job": f"{_D}.graph",
    "GraphDefinition": f"{_D}.graph",
    "RetryPolicy": f"{_D}.retries", "Backoff": f"{_D}.retries", "Jitter": f"{_D}.retries",
    "HookDefinition": f"{_D}.hooks", "success_hook": f"{_D}.hooks",
    "failure_hook": f"{_D}.hooks", "AutomationCondition": f"{_D}.automation",
    "FreshnessPolicy": f"{_D}.automation", "ReexecutionOptions": f"{_E}.reexecute", "file_relative_path": f"{_D}.utils",
    # definitions, jobs, selection, loading
    "Definitions": f"{_D}.definitions",
    "define_asset_job": f"{_D}.jobs", "JobDefinition": f"{_D}.jobs",
    "UnresolvedAssetJobDefinition": f"{_D}.jobs",
    "AssetSelection": f"{_D}.selection",
    "definitions": f"{_D}.load", "load_assets_from_modules": f"{_D}.load",
    "load_assets_from_current_module": f"{_D}.load",
    "load_assets_from_package_module": f"{_D}.load",
    "load_assets_from_package_name": f"{_D}.load",
    "load_asset_checks_from_modules": f"{_D}.load",
    "load_asset_checks_from_package_module": f"{_D}.load",
    "load_from_defs_folder": f"{_D}.load", "with_resources": f"{_D}.load", "load_definitions_from_modules": f"{_D}.load",
    # execution
    "materialize": _E, "materialize_to_memory": _E, "ExecuteInProcessResult": _E,
    "AssetExecutionContext": _E, "OpExecutionContext": _E, "AssetCheckExecutionContext": _E,
    "build_asset_context": _E, "build_op_context": _E, "build_asset_check_context": _E, "InitResourceContext": _E,
    "build_init_resource_context": _E, "get_dagster_logger": _E,
    # executors
    "execute_job": f"{_E}.executors", "ExecutorDefinition": f"{_E}.executors",
    "in_process_executor": f"{_E}.executors", "multiprocess_executor": f"{_E}.executors",
    "multi_or_in_process_executor": f"{_E}.executors",
    # job pointers (they import user code: the locations layer)
    "reconstructable": "headwater.locations.reconstruct",
    "build_reconstructable_job": "headwater.locations.reconstruct",
    # events
    "EventLogEntry": "headwater.events.records", "EventLogRecord": "headwater.events.records",
    "AssetCheckEvaluation": "headwater.events.records", "HookContext": "headwater.execution.run",
    "EventRecordsResult": "headwater.events.records", "Event": "headwater.events.records",
    "EventType": "headwater.events.records",
    # storage / the instance
    "Instance": "headwater.storage", "RunStatus": "headwater.storage", "Run": "headwater.storage",
    "RunRecord": "headwater.storage", "RunsFilter": "headwater.storage",
    "AssetRecordsFilter": "headwater.storage", "instance_for_test": "headwater.storage",
    "RunStatusChangeRecordsFilter": "headwater.storage", "EventRecordsFilter": "headwater.storage",
    # errors
    "HeadwaterError": f"{_D}.errors", "InvalidDefinitionError": f"{_D}.errors",
    "InvalidConfigError": f"{_D}.errors", "InvalidInvocationError": f"{_D}.errors",
    "InvalidSubsetError": f"{_D}.errors", "InvalidPropertyError": f"{_D}.errors",
    "InvariantViolationError": f"{_D}.errors", "UnknownResourceError": f"{_D}.errors",
    "ResourceFunctionError": f"{_D}.errors", "RunNotFoundError": f"{_D}.errors",
    "StorageError": f"{_D}.errors", "UserCodeExecutionError": f"{_D}.errors",
    "ExecutionStepExecutionError": f"{_D}.errors", "TypeCheckDidNotPass": f"{_D}.errors",
    "StepOutputNotFoundError": f"{_D}.errors", "Failure": f"{_D}.errors",
    "RetryRequested": f"{_D}.errors", "InvalidConfigDefinitionError": f"{_D}.errors",
    "ExecutionStepNotFoundError": f"{_D}.errors", "TypeCheckError": f"{_D}.errors",
    "UnknownPartitionError": f"{_D}.errors", "ExecutionInterruptedError": f"{_D}.errors", "AssetCheckFailedError": f"{_D}.errors",
    # warning categories (API stages; never emitted)
    **{name: f"{_D}.warning_categories" for name in (
        "BetaWarning", "ConfigArgumentWarning", "PreviewWarning", "SupersessionWarning")},
    # schedules and sensors
    "RunRequest": f"{_D}.run_request", "SkipReason": f"{_D}.run_request",
    "SensorResult": f"{_D}.run_request",
    "AddDynamicPartitionsRequest": f"{_D}.run_request",
    "DeleteDynamicPartitionsRequest": f"{_D}.run_request",
    "DefaultScheduleStatus": f"{_D}.schedules", "ScheduleDefinition": f"{_D}.schedules",
    "schedule": f"{_D}.schedules", "build_schedule_context": f"{_D}.schedules",
    "ScheduleEvaluationContext": f"{_D}.schedules",
    "DefaultSensorStatus": f"{_D}.sensors", "SensorDefinition": f"{_D}.sensors",
    "sensor": f"{_D}.sensors", "SensorEvaluationContext": f"{_D}.sensors",
    "build_sensor_context": f"{_D}.sensors", "asset_sensor": f"{_D}.sensors",
    "AssetSensorDefinition": f"{_D}.sensors",
    "multi_asset_sensor": f"{_D}.multi_asset_sensors",
    "MultiAssetSensorDefinition": f"{_D}.multi_asset_sensors",
    "MultiAssetSensorEvaluationContext": f"{_D}.multi_asset_sensors",
    "MultiAssetSensorAssetCursorComponent": f"{_D}.multi_asset_sensors",
    "build_multi_asset_sensor_context": f"{_D}.multi_asset_sensors",
    "run_status_sensor": f"{_D}.run_status_sensors",
    "run_failure_sensor": f"{_D}.run_status_sensors",
    "RunStatusSensorContext": f"{_D}.run_status_sensors",
    "RunFailureSensorContext": f"{_D}.run_status_sensors",
    "RunStatusSensorDefinition": f"{_D}.run_status_sensors",
    "build_run_status_sensor_context": f"{_D}.run_status_sensors",
    # Dagster-spelled aliases
    **{name: "headwater.compat" for name in (
        "DagsterInstance", "DagsterRunStatus", "DagsterRun", "DagsterEvent", "DagsterEventType",
        "DagsterError", "DagsterInvalidDefinitionError", "DagsterInvalidConfigError",
        "DagsterInvalidInvocationError", "DagsterInvalidPropertyError",
        "DagsterInvalidSubsetError", "DagsterInvariantViolationError",
        "DagsterResourceFunctionError", "DagsterRunNotFoundError",
        "DagsterStepOutputNotFoundError", "DagsterTypeCheckDidNotPass",
        "DagsterUnknownResourceError", "DagsterUserCodeExecutionError",
        "DagsterExecutionStepExecutionError", "DagsterInvalidConfigDefinitionError",
        "DagsterExecutionStepNotFoundError", "DagsterTypeCheckError", "DagsterUnknownPartitionError",
        "DagsterExecutionInterruptedError", "DagsterAssetMetadataValue", "DagsterType")},
    # ops, graphs and types (jobs issue, part 2)
    "Nothing": f"{_D}.types", "TypeCheck": f"{_D}.types",
    "GraphIn": f"{_D}.graph", "GraphOut": f"{_D}.graph",
    "graph_asset": f"{_D}.graph_assets", "graph_multi_asset": f"{_D}.graph_assets",
    "AssetPartitionStatus": "headwater.storage.partition_status",
    # partition definitions (issue 4)
    "PartitionsDefinition": f"{_D}.partitions",
    "PartitionKeyRange": f"{_D}.partitions",
    "StaticPartitionsDefinition": f"{_D}.partitions",
    "DynamicPartitionsDefinition": f"{_D}.partitions",
    "TimeWindow": f"{_D}.partitions",
    "TimeWindowPartitionsDefinition": f"{_D}.partitions",
    "DailyPartitionsDefinition": f"{_D}.partitions",
    "HourlyPartitionsDefinition": f"{_D}.partitions",
    "WeeklyPartitionsDefinition": f"{_D}.partitions",
    "MonthlyPartitionsDefinition": f"{_D}.partitions",
    "MultiPartitionsDefinition": f"{_D}.partitions",
    "MultiPartitionKey": f"{_D}.partitions",
    # partition mappings, backfill policies, partitioned schedules (issue 4)
    **{name: f"{_D}.partitions.mappings" for name in (
        "AllPartitionMapping", "DimensionPartitionMapping", "IdentityPartitionMapping",
        "LastPartitionMapping", "MultiPartitionMapping", "MultiToSingleDimensionPartitionMapping",
        "PartitionMapping", "SpecificPartitionsPartitionMapping", "StaticPartitionMapping",
        "TimeWindowPartitionMapping")},
    "BackfillPolicy": f"{_D}.backfill_policy",
    # code references (issue 15, item 5)
    **{name: f"{_D}.code_references" for name in (
        "AnchorBasedFilePathMapping", "CodeReferencesMetadataValue", "FilePathMapping",
        "LocalFileCodeReference", "UrlCodeReference", "link_code_references_to_git",
        "with_source_code_references")},
    # the legacy config schema (issue 15, item 8)
    **{name: f"{_D}.config_types" for name in (
        "Any", "Array", "BoolSource", "Enum", "EnumValue", "Field", "IntSource", "Map",
        "Noneable", "Permissive", "Selector", "Shape", "StringSource")},
    "build_schedule_from_partitioned_job": f"{_D}.partitioned_schedule",
    # custom loggers (issue 15)
    **{name: f"{_D}.loggers" for name in (
        "logger", "LoggerDefinition", "InitLoggerContext", "build_init_logger_context",
        "colored_console_logger", "default_loggers")},
}

SUBMODULES = {"components": "headwater.components", "preview": "headwater.preview"}
