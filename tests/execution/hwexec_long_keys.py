"""Assets with keys too long for file names, in a module, so worker processes can load them."""

import headwater as dg

LONG = "w" * 300


@dg.asset(key=["hwexec", LONG])
def hwexec_long() -> int:
    print("long in a worker")
    return 7


@dg.asset(ins={"value": dg.AssetIn(["hwexec", LONG])})
def hwexec_after_long(value: int) -> int:
    print(f"after long got {value}")
    return value + 1


hwexec_long_defs = dg.Definitions(assets=[hwexec_long, hwexec_after_long],
                                  jobs=[dg.define_asset_job("hwexec_long_job")])
