"""``dagster._core.events`` on Headwater: event records and their types."""

from headwater.events.records import Event as DagsterEvent
from headwater.events.records import EventType as DagsterEventType

__all__ = ["DagsterEvent", "DagsterEventType"]
