"""W3: definitions at scale. For N assets (layered DAG, width 10), time and peak memory of:

  build     creating the N asset definitions with the decorator factory
  defs      `Definitions(assets=..., jobs=[all, downstream])` + `Definitions.validate_loadable`
  select    the job of `AssetSelection.assets(root).downstream()`, via `defs.resolve_job_def`
  job       the job of `AssetSelection.all()`, via `defs.resolve_job_def`

Run one N per process (peak RSS is per process):

    python bench/w3_definitions.py --impl dagster --n 1000 [--deps]
"""

from __future__ import annotations

from _dag import emit, key_name, layered_assets, load, now, parse_args, peak_rss_mb, version


def main() -> None:
    args = parse_args(__doc__, deps={"action": "store_true", "help": "edges as deps= not ins="})
    dg = load(args.impl)
    import_rss = peak_rss_mb()
    times = {}

    start = now()
    assets = layered_assets(dg, args.n, use_deps=args.deps)
    times["build_s"] = now() - start

    start = now()
    all_job = dg.define_asset_job("all_assets", selection=dg.AssetSelection.all())
    down = dg.AssetSelection.assets(key_name(0)).downstream()
    down_job = dg.define_asset_job("downstream_of_root", selection=down)
    defs = dg.Definitions(assets=assets, jobs=[all_job, down_job])
    dg.Definitions.validate_loadable(defs)
    times["defs_s"] = now() - start

    start = now()
    assert defs.resolve_job_def("downstream_of_root").name == "downstream_of_root"
    times["select_s"] = now() - start

    start = now()
    assert defs.resolve_job_def("all_assets").name == "all_assets"
    times["job_s"] = now() - start

    record = {"workload": "w3", "impl": args.impl, "version": version(dg), "n": args.n}
    record["deps"] = args.deps
    record.update({k: round(v, 4) for k, v in times.items()})
    record["total_s"] = round(sum(times.values()), 4)
    record["import_rss_mb"] = round(import_rss, 1)
    record["peak_rss_mb"] = round(peak_rss_mb(), 1)
    emit(record)


if __name__ == "__main__":
    main()
