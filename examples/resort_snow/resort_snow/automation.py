"""What runs by itself under `headwater dev` (or `headwater daemon run`):

* `morning_conditions`: every morning at 07:00 Zurich time, fetch the resorts' conditions and
  rebuild the summary (on from the start: `default_status=RUNNING`).
* `incoming_reports`: every 5 seconds, look for new report files in ./incoming (or
  $RESORT_INCOMING_DIR) and refresh the conditions once per file. The file name is the run key,
  so each file launches exactly one run, however often the sensor looks.

Try it: run `headwater dev` here, then `mkdir -p incoming && touch incoming/storm-warning.csv`.
"""

import os
from pathlib import Path

import headwater as dg

conditions_job = dg.define_asset_job(
    "conditions_job", selection=dg.AssetSelection.groups("raw", "conditions"),
    description="Fetch every resort's conditions, clean them, rank the resorts.")

morning_conditions = dg.ScheduleDefinition(
    name="morning_conditions", job=conditions_job, cron_schedule="0 7 * * *",
    execution_timezone="Europe/Zurich", default_status=dg.DefaultScheduleStatus.RUNNING)


def incoming_dir() -> Path:
    return Path(os.getenv("RESORT_INCOMING_DIR", "incoming"))


@dg.sensor(job=conditions_job, minimum_interval_seconds=5,
           default_status=dg.DefaultSensorStatus.RUNNING)
def incoming_reports(context: dg.SensorEvaluationContext):
    folder = incoming_dir()
    files = sorted(p.name for p in folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return dg.SkipReason(f"No report files in {folder}")
    return [dg.RunRequest(run_key=name, tags={"report_file": name}) for name in files]
