"""Run tags with a meaning to the system, spelled as Dagster spells them (one home for all
layers: definitions set them, execution reads them, storage queries by them)."""

PARENT_RUN_ID_TAG = "dagster/parent_run_id"
ROOT_RUN_ID_TAG = "dagster/root_run_id"
RESUME_RETRY_TAG = "dagster/is_resume_retry"
SCHEDULE_NAME_TAG = "dagster/schedule_name"
SENSOR_NAME_TAG = "dagster/sensor_name"
BACKFILL_ID_TAG = "dagster/backfill"
BACKFILL_STAGE_TAG = "headwater/backfill_stage"  # runs of a backfill's later stages
PARTITION_NAME_TAG = "dagster/partition"
PARTITION_SET_TAG = "dagster/partition_set"
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
PRIORITY_TAG = "dagster/priority"  # a queued run's priority: higher first (may be negative)
MAX_RUNTIME_TAG = "dagster/max_runtime"  # seconds a run may run before monitoring fails it
CODE_LOCATION_TAG = "headwater/code_location"  # the code location a queued run launches in
FROM_FAILURE_TAG = "headwater/from_failure"  # a queued re-execution of the parent's failures
