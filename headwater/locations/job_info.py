"""What a job's snapshot says beyond its name: its op graph and its run-config schema.

Both are built where the code is loaded (the web never imports user code) and kept cheap for
very large locations: the op graph is one pass over the job's nodes (an asset job: over its
assets' parents), and the config schema looks only at ops and resources that *have* config
(a plain attribute test per op), so a 10,000-asset job without config costs a few
milliseconds and adds nothing to the snapshot but its edges.

The config schema is plain JSON, one node per config type::

    {"kind": "int" | "float" | "string" | "bool" | "any"}
    {"kind": "list", "of": NODE}          {"kind": "map", "of": NODE}
    {"kind": "optional", "of": NODE}      {"kind": "enum", "values": ["A", "B"]}
    {"kind": "shape", "fields": {NAME: {"type": NODE, "required": bool,
                                        "default"?: VALUE, "description"?: str}},
     "permissive"?: true}

A job's schema is a shape of ``ops`` (op name -> ``{"config": ...}``; nested graphs as
``{"ops": ...}``), ``resources`` (key -> ``{"config": ...}``) and ``execution`` (any).
Defaults come from the code's field defaults only, never from a configured resource's values
(which may have been read from the environment): an ``EnvVar`` default is ``{"env": NAME}``.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from typing import Any

Node = dict[str, Any]
_SCALARS = {int: "int", float: "float", str: "string", bool: "bool"}
ANY: Node = {"kind": "any"}


# ---------------------------------------------------------------------------- op graph


def op_deps(job: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each op (top-level node of an op job; each asset's op for an asset job) with the ops it
    depends on, in definition order."""
    if job.graph_def is not None:
        return tuple((node.name, tuple(dict.fromkeys(_upstream_nodes(node.bindings.values()))))
                     for node in job.graph_def.nodes)
    graph = job.asset_graph
    ids = job.asset_ids
    if graph is None or not ids:
        return ()
    owner, parents, assets_defs = graph.owner, graph.parents, graph.assets_defs
    names: dict[int, str] = {}  # owner index -> op name
    deps: dict[str, dict[str, None]] = {}
    for i in sorted(ids):
        o = owner[i]
        name = names.get(o)
        if name is None:
            name = names[o] = _op_name(assets_defs[o], i, graph)
        upstream = deps.get(name)
        if upstream is None:
            upstream = deps[name] = {}
        for p in parents[i]:
            po = owner[p]
            if po != o and p in ids:
                pname = names.get(po)
                if pname is None:
                    pname = names[po] = _op_name(assets_defs[po], p, graph)
                upstream[pname] = None
    return tuple((name, tuple(up)) for name, up in deps.items())


def _op_name(ad: Any, i: int, graph: Any) -> str:
    op = getattr(ad, "op", None)
    name = getattr(op, "name", None)
    return str(name) if name else "__".join(graph.keys[i].path)


def _upstream_nodes(sources: Any) -> list[str]:
    out: list[str] = []
    for source in sources:
        if isinstance(source, (list, tuple)):
            out += _upstream_nodes(source)
            continue
        node = getattr(source, "node", None)
        if node is not None and getattr(node, "name", None):
            out.append(node.name)
        elif getattr(source, "source", None) is not None:
            out += _upstream_nodes([source.source])
    return out


# ---------------------------------------------------------------------------- config schema


def job_config_schema(job: Any) -> Node:
    """The run-config schema of ``job`` (see the module docstring)."""
    fields: dict[str, Any] = {}
    ops = _ops_shape(job)
    if ops["fields"]:
        fields["ops"] = _field(ops, _any_required(ops))
    resources = _resources_shape(job)
    if resources["fields"]:
        fields["resources"] = _field(resources, _any_required(resources))
    fields["execution"] = {"type": ANY, "required": False,
                           "description": "the executor's config, e.g. {config: {multiprocess: "
                                          "{max_concurrent: 4}}}"}
    return {"kind": "shape", "fields": fields}


def _field(node: Node, required: bool, description: str | None = None,
           default: Any = None, has_default: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"type": node, "required": required}
    if has_default:
        out["default"] = default
    if description:
        out["description"] = description
    return out


def _any_required(shape: Node) -> bool:
    return any(f["required"] for f in shape["fields"].values())


def _ops_shape(job: Any) -> Node:
    fields: dict[str, Any] = {}
    if job.graph_def is not None:
        _graph_ops(job.graph_def, fields)
    elif job.asset_graph is not None:
        graph = job.asset_graph
        seen: set[int] = set()
        for i in sorted(job.asset_ids or ()):
            owner = graph.owner[i]
            if owner in seen:
                continue
            seen.add(owner)
            op = getattr(graph.assets_defs[owner], "op", None)
            node = _op_config(op)
            if node is not None:
                fields[_op_name(graph.assets_defs[owner], i, graph)] = _config_entry(node)
    return {"kind": "shape", "fields": fields}


def _graph_ops(graph_def: Any, fields: dict[str, Any]) -> None:
    for node in graph_def.nodes:
        definition = node.definition
        inner = getattr(definition, "nodes", None)
        if inner is not None:  # a nested graph: {"ops": {...}}
            nested: dict[str, Any] = {}
            _graph_ops(definition, nested)
            if nested:
                shape = {"kind": "shape", "fields": nested}
                fields[node.name] = _field(
                    {"kind": "shape", "fields": {"ops": _field(shape, _any_required(shape))}},
                    _any_required(shape))
            continue
        config = _op_config(definition)
        if config is not None:
            fields[node.name] = _config_entry(config)


def _config_entry(config: Node) -> dict[str, Any]:
    """``{"config": CONFIG}``, required when the config has a required field."""
    kind = config.get("kind")
    required = kind != "optional" and (kind != "shape" or _any_required(config))
    if config.get("kind") in ("int", "float", "string", "bool"):
        required = True
    shape = {"kind": "shape", "fields": {"config": _field(config, required)}}
    return _field(shape, required)


def _op_config(op: Any) -> Node | None:
    if op is None:
        return None
    cls = getattr(op, "config_cls", None)
    if cls is not None:
        return _model_shape(cls)
    field = getattr(op, "config_field", None)
    if field is None:
        return None
    return _shorthand(field)


def _shorthand(schema: Any) -> Node:
    """A legacy schema (``{"n": int}``, ``Field``, ``Shape``, ``Selector``...) as a node; the
    whole config optional (``{"kind": "optional"}``) when it need not be given."""
    from headwater.definitions.config_types import config_field

    field = schema if hasattr(schema, "config_type") else config_field(schema)
    if field is None:
        return ANY
    node = _legacy_node(field.config_type)
    if not field.is_required and node.get("kind") not in ("shape", "optional"):
        return {"kind": "optional", "of": node}
    return node


def _legacy_node(config_type: Any, depth: int = 0) -> Node:
    from headwater.definitions import config_types as ct

    if depth > 8:
        return ANY
    if isinstance(config_type, ct.SourceType):  # {"env": NAME} is accepted too
        config_type = config_type.scalar
    if isinstance(config_type, ct.ScalarType):
        return {"kind": config_type.label.lower()}
    if isinstance(config_type, (ct.Shape, ct.Selector)):
        selector = isinstance(config_type, ct.Selector)
        fields = {}
        for name, f in config_type.fields.items():
            default, has_default = _plain(f.default_value) if f.default_provided else (None, False)
            fields[name] = _field(_legacy_node(f.config_type, depth + 1),
                                  f.is_required and not selector, f.description, default,
                                  has_default)
        node: Node = {"kind": "shape", "fields": fields}
        if selector:
            node["selector"] = True  # exactly one of the fields
        elif getattr(config_type, "permissive", False):
            node["permissive"] = True
        return node
    if isinstance(config_type, ct.Noneable):
        return {"kind": "optional", "of": _legacy_node(config_type.inner_type, depth + 1)}
    if isinstance(config_type, ct.Array):
        return {"kind": "list", "of": _legacy_node(config_type.inner_type, depth + 1)}
    if isinstance(config_type, ct.Map):
        return {"kind": "map", "of": _legacy_node(config_type.inner_type, depth + 1)}
    if isinstance(config_type, ct.Enum):
        return {"kind": "enum", "values": [v.config_value for v in config_type.enum_values]}
    return ANY


def _model_shape(cls: Any, partial_of: Any = None) -> Node:
    """A pydantic model's fields (a ``Config`` class, or a resource's class). ``partial_of``: a
    resource configured in code, whose fields set there need no run config."""
    fields: dict[str, Any] = {}
    given: set[str] = set()
    if partial_of is not None:
        given = set(getattr(partial_of, "model_fields_set", ()) or ())
    for name, info in getattr(cls, "model_fields", {}).items():
        required = bool(info.is_required()) and name not in given
        default, has_default = _default(info) if name not in given else (None, False)
        fields[name] = _field(_annotation(info.annotation), required, info.description,
                              default, has_default)
    shape: Node = {"kind": "shape", "fields": fields}
    if (getattr(cls, "model_config", None) or {}).get("extra") == "allow":
        shape["permissive"] = True
    return shape


def _default(info: Any) -> tuple[Any, bool]:
    if info.is_required() or info.default_factory is not None:
        return None, False
    return _plain(info.default)


def _plain(value: Any) -> tuple[Any, bool]:
    """A field default as JSON, when it is one (an EnvVar stays its name)."""
    from headwater.definitions.config import EnvVar

    if isinstance(value, EnvVar):
        return {"env": value.env_var_name}, True
    if value is None or isinstance(value, (bool, int, float, str)):
        return value, True
    if isinstance(value, enum.Enum):
        return value.name, True
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        return ([v for v, _ in items], True) if all(ok for _, ok in items) else (None, False)
    if isinstance(value, Mapping):
        pairs = {str(k): _plain(v) for k, v in value.items()}
        if all(ok for _, ok in pairs.values()):
            return {k: v for k, (v, _) in pairs.items()}, True
    return None, False


def _annotation(ann: Any, depth: int = 0) -> Node:
    if depth > 8:
        return ANY
    if ann in _SCALARS:
        return {"kind": _SCALARS[ann]}
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is typing.Annotated:
        return _annotation(args[0], depth + 1)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        inner = _annotation(rest[0], depth + 1) if len(rest) == 1 else ANY
        return {"kind": "optional", "of": inner} if len(rest) < len(args) else inner
    if origin is typing.Literal:
        return {"kind": "enum", "values": [str(a) for a in args]}
    if origin in (list, tuple, set, frozenset, typing.Sequence):
        return {"kind": "list", "of": _annotation(args[0], depth + 1) if args else ANY}
    if origin in (dict, Mapping):
        return {"kind": "map", "of": _annotation(args[1], depth + 1) if len(args) == 2 else ANY}
    if isinstance(ann, type):
        if issubclass(ann, enum.Enum):
            return {"kind": "enum", "values": list(ann.__members__)}
        if hasattr(ann, "model_fields"):
            return _model_shape(ann) if depth < 4 else ANY
    return ANY


def _resources_shape(job: Any) -> Node:
    fields: dict[str, Any] = {}
    resources = dict(getattr(job, "resource_defs", None) or {})
    graph = job.asset_graph if job.graph_def is None else None
    if graph is not None:  # assets may bring resources of their own
        for owner in {graph.owner[i] for i in job.asset_ids or ()}:
            for key, value in (getattr(graph.assets_defs[owner], "resource_defs", None)
                               or {}).items():
                resources.setdefault(key, value)
    for key in sorted(resources):
        node = _resource_config(resources[key])
        if node is not None:
            fields[key] = _config_entry(node) if _any_required_node(node) else _field(
                {"kind": "shape", "fields": {"config": _field(node, False)}}, False)
    return {"kind": "shape", "fields": fields}


def _any_required_node(node: Node) -> bool:
    return node.get("kind") == "shape" and _any_required(node)


def _resource_config(value: Any) -> Node | None:
    if hasattr(type(value), "model_fields") and hasattr(value, "is_partial"):
        if not type(value).model_fields:
            return None
        return _model_shape(type(value), value if value.is_partial else _AllGiven(value))
    schema = getattr(value, "config_schema", None)
    if schema is not None and getattr(value, "resource_fn", None) is not None:
        node = _shorthand(schema)
        if getattr(value, "fixed_config", None) is not None:  # configured in code: optional
            return _optional_fields(node)
        return node
    return None


class _AllGiven:
    """A resource configured in code: every field has its value already."""

    def __init__(self, value: Any):
        self.model_fields_set = set(type(value).model_fields)


def _optional_fields(node: Node) -> Node:
    if node.get("kind") != "shape":
        return node
    return {**node, "fields": {k: {**f, "required": False} for k, f in node["fields"].items()}}


# ---------------------------------------------------------------------------- scaffold


def scaffold(schema: Node | None) -> dict[str, Any]:
    """A starting run config, as Dagster's launchpad scaffolds the missing config: every
    required field with a placeholder value (and, beside them, the defaults of their optional
    siblings). Optional sections are left out: a resource configured in code keeps its values.
    Pure (no user code): the web builds it from a snapshot."""
    if not schema:
        return {}
    value = _scaffold(schema, top=True)
    return value if isinstance(value, dict) else {}


def _scaffold(node: Node, top: bool = False) -> Any:
    kind = node.get("kind")
    if kind == "shape":
        out: dict[str, Any] = {}
        for name, f in node.get("fields", {}).items():
            if f.get("required"):
                out[name] = _scaffold(f["type"])
            elif "default" in f and not top:
                out[name] = f["default"]
        return out
    if kind == "list":
        return []
    if kind == "map":
        return {}
    if kind == "optional":
        return None
    if kind == "enum":
        values = node.get("values") or []
        return values[0] if values else None
    return {"int": 0, "float": 0.0, "string": "", "bool": False}.get(str(kind))

