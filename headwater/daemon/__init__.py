"""The daemon: scheduler, sensors, run queue, run monitoring, backfills.

It talks to code locations (``headwater.locations.CodeLocation``) and to storage only; it never
imports user code.
"""
