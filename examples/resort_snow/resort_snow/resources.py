"""Where resort conditions come from: a deterministic local source or an HTTP API."""

import hashlib
import json
import random
import urllib.parse
import urllib.request

import headwater as dg


class ResortConditionsResource(dg.ConfigurableResource):
    """Base resource: returns today's conditions for one resort as a flat dict.

    Keys: resort, date, snow_depth_cm, new_snow_24h_cm, temperature_c, lifts_open, lifts_total.
    """

    def get_conditions(self, resort: str) -> dict:
        raise NotImplementedError

    def get_conditions_on(self, resort: str, date: str) -> dict:
        """The snow report of one past day (YYYY-MM-DD), same keys as get_conditions."""
        raise NotImplementedError


class LocalConditionsResource(ResortConditionsResource):
    """Deterministic fake conditions, seeded by resort name and date. The default."""

    date: str = "2025-01-15"

    def get_conditions(self, resort: str) -> dict:
        return self.get_conditions_on(resort, self.date)

    def get_conditions_on(self, resort: str, date: str) -> dict:
        seed = int.from_bytes(hashlib.sha256(f"{resort}:{date}".encode()).digest()[:8], "big")
        rng = random.Random(seed)
        lifts_total = rng.randint(8, 40)
        return {
            "resort": resort,
            "date": date,
            "snow_depth_cm": rng.randint(40, 320),
            "new_snow_24h_cm": rng.choice([0, 0, 2, 5, 10, 15, 25, 40]),
            "temperature_c": round(rng.uniform(-18.0, 3.0), 1),
            "lifts_open": rng.randint(lifts_total // 2, lifts_total),
            "lifts_total": lifts_total,
        }


class HttpConditionsResource(ResortConditionsResource):
    """Reads conditions from `GET {base_url}/resorts/{resort}/conditions` (JSON)."""

    base_url: str
    api_key: str | None = None
    timeout_s: float = 10.0

    def get_conditions(self, resort: str) -> dict:
        return self._get(resort, "")

    def get_conditions_on(self, resort: str, date: str) -> dict:
        return {"date": date, **self._get(resort, "?" + urllib.parse.urlencode({"date": date}))}

    def _get(self, resort: str, query: str) -> dict:
        url = f"{self.base_url.rstrip('/')}/resorts/{urllib.parse.quote(resort)}/conditions{query}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            return {"resort": resort, **json.load(response)}
