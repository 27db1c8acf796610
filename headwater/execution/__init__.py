"""Execution: plans, contexts, resources, IO managers and the run loop."""

from typing import Any

from headwater.execution.api import (
    execute_asset_job,
    execute_op_job,
    load_asset_value,
    materialize,
    materialize_to_memory,
)
from headwater.execution.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    OpExecutionContext,
    build_asset_check_context,
    build_asset_context,
    build_op_context,
)
from headwater.execution.io_context import (
    InputContext,
    OutputContext,
    build_input_context,
    build_output_context,
)
from headwater.execution.launch import LaunchRequest, LoadedTarget, launch, plain_run_config
from headwater.execution.logs import get_dagster_logger
from headwater.execution.resources import (
    InitResourceContext,
    build_init_resource_context,
    init_resources,
)
from headwater.execution.result import ExecuteInProcessResult

_CONFIGURABLE = {"FilesystemIOManager", "InMemoryIOManager", "PickledObjectFilesystemIOManager",
                 "fs_io_manager", "mem_io_manager"}


def __getattr__(name: str) -> Any:  # pydantic-based IO managers load on first use
    if name in _CONFIGURABLE:
        from headwater.execution import io_managers

        return getattr(io_managers, name)
    raise AttributeError(f"module 'headwater.execution' has no attribute {name!r}")


__all__ = [
    "AssetCheckExecutionContext", "AssetExecutionContext", "ExecuteInProcessResult",
    "LaunchRequest", "LoadedTarget", "launch", "plain_run_config",
    "FilesystemIOManager", "InMemoryIOManager", "InitResourceContext", "InputContext",
    "OpExecutionContext", "OutputContext", "PickledObjectFilesystemIOManager",
    "build_asset_check_context", "build_asset_context", "build_init_resource_context", "build_input_context",
    "build_op_context", "build_output_context", "execute_asset_job", "execute_op_job", "fs_io_manager",
    "get_dagster_logger", "load_asset_value", "materialize", "materialize_to_memory",
    "mem_io_manager", "init_resources",
]
