"""Code that leaks the secrets its resources read from the environment, in every way a run
records: logs, prints, metadata, check results, exceptions. Module level, so that worker
processes can import it. The variables are set by the tests (``TOKEN_ENV``, ``PIN_ENV``)."""

from __future__ import annotations

import sys

import headwater as dg

TOKEN_ENV = "HWEXEC_SECRET_TOKEN"
PIN_ENV = "HWEXEC_SECRET_PIN"


class HwexecApi(dg.ConfigurableResource):
    token: str
    pin: int


class HwexecGateway(dg.ConfigurableResource):
    """A second resource reading the same variable, and holding the first one nested."""

    password: str
    api: HwexecApi


@dg.asset
def hwexec_leaky(context: dg.AssetExecutionContext, api: HwexecApi,
                 gateway: HwexecGateway) -> dg.MaterializeResult:
    context.log.info(f"calling with token {api.token} and pin {api.pin}")
    context.log.warning("gateway password %s", gateway.password)
    print(f"stdout token={api.token}")
    print(f"stderr pin={api.pin}", file=sys.stderr)
    context.log_event(dg.AssetObservation(asset_key="hwexec_leaky",
                                          metadata={"seen": gateway.api.token}))
    return dg.MaterializeResult(metadata={
        "token": api.token,
        "pin": api.pin,
        "url": dg.MetadataValue.url(f"https://example.com/?key={api.token}"),
        "json": dg.MetadataValue.json({"auth": {"token": api.token}, "list": [api.pin]}),
        "md": dg.MetadataValue.md(f"**{api.token}**"),
        "rows": 3,
    })


@dg.asset_check(asset=hwexec_leaky)
def hwexec_leaky_check(api: HwexecApi) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, metadata={"checked_with": api.token},
                               description=f"checked with {api.token}")


@dg.asset(deps=[hwexec_leaky])
def hwexec_leaky_failure(api: HwexecApi) -> None:
    try:
        raise KeyError(api.token)
    except KeyError as e:
        raise RuntimeError(f"authentication failed for {api.token!r}") from e


hwexec_secret_defs = dg.Definitions(
    assets=[hwexec_leaky, hwexec_leaky_failure], asset_checks=[hwexec_leaky_check],
    resources={"api": HwexecApi(token=dg.EnvVar(TOKEN_ENV), pin=dg.EnvVar.int(PIN_ENV)),
               "gateway": HwexecGateway(password=dg.EnvVar(TOKEN_ENV),
                                        api=HwexecApi(token=dg.EnvVar(TOKEN_ENV),
                                                      pin=dg.EnvVar.int(PIN_ENV)))},
    jobs=[dg.define_asset_job("hwexec_secret_job")])


# --- ops: Output metadata, and a hook's log -------------------------------------------------

@dg.op
def hwexec_secret_op(context: dg.OpExecutionContext, api: HwexecApi):
    context.log.info(f"op token {api.token}")
    yield dg.Output(1, metadata={"token": api.token})


@dg.success_hook(required_resource_keys={"api"})
def hwexec_secret_hook(context) -> None:
    context.log.info(f"hook token {context.resources.api.token}")


@dg.job(resource_defs={"api": HwexecApi(token=dg.EnvVar(TOKEN_ENV), pin=dg.EnvVar.int(PIN_ENV))},
        hooks={hwexec_secret_hook})
def hwexec_secret_op_job():
    hwexec_secret_op()


# --- a resource whose set-up fails with the secret in its message -----------------------------

class HwexecRefusing(dg.ConfigurableResource):
    token: str

    def setup_for_execution(self, context) -> None:
        raise ConnectionError(f"server refused {self.token}")


@dg.op
def hwexec_needs_refusing(refusing: HwexecRefusing) -> int:
    return 1


@dg.job(resource_defs={"refusing": HwexecRefusing(token=dg.EnvVar(TOKEN_ENV))})
def hwexec_refusing_job():
    hwexec_needs_refusing()
