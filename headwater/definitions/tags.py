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
