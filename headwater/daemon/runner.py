"""The daemon process: each component's ``run_iteration`` on a thread of its own, again and
again, until told to stop.

``run_daemon`` holds the instance's daemon lease for its whole life (``lease.py``), so a second
daemon on the same instance refuses to start. Stopping (``stop.set()``, which the command does
on SIGTERM/SIGINT) lets every component finish the pass it is in -- a tick is never left
half-done on purpose -- then closes them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from headwater.daemon.clock import Clock
from headwater.daemon.component import DaemonComponent, Wakeup
from headwater.daemon.lease import acquire_daemon_lease
from headwater.locations.contracts import CodeLocation

_log = logging.getLogger("headwater.daemon")


def default_components(instance: Any, locations: Callable[[], Sequence[CodeLocation]], *,
                       clock: Clock | None = None, queue_wakeup: Wakeup | None = None,
                       ) -> list[DaemonComponent]:
    """The scheduler, the sensor daemon, the backfill daemon, the run queue and run
    monitoring."""
    from headwater.daemon.scheduler import SchedulerComponent
    from headwater.daemon.sensors import SensorComponent, SensorLane

    config = instance.config
    queue_wakeup = queue_wakeup or Wakeup()
    workers = config.sensors.num_workers if config.sensors.use_threads else None
    components: list[DaemonComponent] = [
        SchedulerComponent(instance, locations, clock=clock, wakeup=queue_wakeup),
        *(SensorComponent(instance, locations, clock=clock, wakeup=queue_wakeup, lane=lane,
                          **({"workers": workers} if workers else {}))
          for lane in (SensorLane.FAST, SensorLane.SLOW)),
    ]
    from headwater.daemon.monitoring import MonitoringComponent
    from headwater.daemon.queue import QueueComponent

    queue = QueueComponent(instance, lambda: {loc.name: loc for loc in locations()},
                           clock=clock)
    queue.own_wakeup = queue_wakeup  # a tick that queued runs wakes the queue at once
    from headwater.daemon.backfills import BackfillComponent

    components += [BackfillComponent(instance, locations, wakeup=queue_wakeup), queue,
                   MonitoringComponent(instance)]
    return components


def _loop(component: DaemonComponent, stop: threading.Event) -> None:
    wakeup: Wakeup | None = getattr(component, "own_wakeup", None)
    while not stop.is_set():
        began = time.monotonic()
        try:
            component.run_iteration()
        except Exception:  # noqa: BLE001 - logged; the next pass runs
            _log.exception("daemon component %r failed a pass; it carries on", component.name)
        remaining = component.interval_seconds - (time.monotonic() - began)
        if remaining > 0:
            if wakeup is not None:
                wakeup.wait(remaining)
            else:
                stop.wait(remaining)


def run_daemon(instance: Any, components: Sequence[DaemonComponent], stop: threading.Event,
               on_ready: Callable[[], None] | None = None) -> None:
    """Run ``components`` until ``stop`` is set. Raises ``DaemonAlreadyRunningError`` if
    another daemon holds the instance."""
    with acquire_daemon_lease(instance):
        threads = [threading.Thread(target=_loop, args=(c, stop), daemon=True,
                                    name=f"headwater-daemon-{c.name}") for c in components]
        for thread in threads:
            thread.start()
        _log.info("daemon started: %s", ", ".join(c.name for c in components))
        if on_ready is not None:
            on_ready()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            for component in components:
                close = getattr(component, "close", None)
                if close is not None:
                    try:
                        close()
                    except Exception:  # noqa: BLE001 - closing must not hide the others
                        _log.exception("closing daemon component %r failed", component.name)
        _log.info("daemon stopped")
