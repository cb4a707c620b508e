"""The gate: thresholds in a suite that decide whether a run passes (for CI).

```yaml
gate:
  min_accuracy: 0.9
  max_wrong_answer_rate: 0.02
  per_language:          # the same keys, applied to every language the suite has turns in
    min_accuracy: 0.8
```

A limit whose metric could not be measured (no case expects an abstention, no LLM endpoint, no
baseline) fails and says why: a gate never passes silently on a metric it did not see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eval._problems import Problems, line_of

__all__ = ["GATE_KEYS", "Gate", "GateCheck", "GateResult", "Limit", "apply_gate"]

#: gate key -> the metric it limits (see docs/eval.md for each metric).
GATE_KEYS: Mapping[str, str] = {
    "min_pass_rate": "pass_rate",
    "min_accuracy": "accuracy",
    "min_hit_at_1": "hit_at_1",
    "min_mrr": "mrr",
    "max_wrong_answer_rate": "wrong_answer_rate",
    "min_abstain_precision": "abstain_precision",
    "min_abstain_recall": "abstain_recall",
    "min_context_precision": "context_precision",
    "min_context_recall": "context_recall",
    "min_faithfulness": "faithfulness",
    "min_response_relevancy": "response_relevancy",
    "max_p50_ms": "p50_ms",
    "max_p95_ms": "p95_ms",
    "max_regressions": "regressions",
}
_NOT_PER_LANGUAGE = ("max_regressions",)
_UNMEASURED = {
    "hit_at_1": "no case expects an answer id",
    "mrr": "no case expects an answer id",
    "context_recall": "no case expects an answer id",
    "context_precision": "the bot showed no answer in any case",
    "abstain_recall": "no case expects abstain",
    "abstain_precision": "the bot abstained in no case",
    "faithfulness": "no LLM endpoint is configured (CHAT_LLM_BASE_URL)",
    "response_relevancy": "no LLM endpoint is configured (CHAT_LLM_BASE_URL)",
    "regressions": "no --baseline report was given",
}


@dataclass(frozen=True, slots=True)
class Limit:
    """One threshold: `key` as written in the suite (e.g. min_accuracy) and its value."""

    key: str
    value: float
    per_language: bool = False

    @property
    def metric(self) -> str:
        return GATE_KEYS[self.key]

    @property
    def is_minimum(self) -> bool:
        return self.key.startswith("min_")


@dataclass(frozen=True, slots=True)
class Gate:
    limits: tuple[Limit, ...]


@dataclass(frozen=True, slots=True)
class GateCheck:
    """One limit applied to one scope (`all`, or a language)."""

    key: str
    scope: str
    threshold: float
    value: float | None
    passed: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "metric": GATE_KEYS[self.key],
            "scope": self.scope,
            "threshold": self.threshold,
            "value": self.value,
            "passed": self.passed,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class GateResult:
    checks: tuple[GateCheck, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> tuple[GateCheck, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "checks": [c.to_json() for c in self.checks]}


def _limit(raw: Any, key: str, field: str, per_language: bool, problems: Problems) -> Any:
    value = raw[key]
    line = line_of(raw, key)
    if key not in GATE_KEYS or (per_language and key in _NOT_PER_LANGUAGE):
        allowed = [k for k in GATE_KEYS if not (per_language and k in _NOT_PER_LANGUAGE)]
        problems.add(line, f"{field}.{key}", f"unknown gate key (allowed: {', '.join(allowed)})")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(line, f"{field}.{key}", f"a number, got {value!r}")
        return None
    metric = GATE_KEYS[key]
    if metric.endswith("_ms") and value <= 0:
        problems.add(line, f"{field}.{key}", "milliseconds, more than 0")
    elif metric == "regressions" and (value < 0 or value != int(value)):
        problems.add(line, f"{field}.{key}", "a whole number of cases, 0 or more")
    elif not metric.endswith("_ms") and metric != "regressions" and not 0 <= value <= 1:
        problems.add(line, f"{field}.{key}", f"a share between 0 and 1, got {value}")
    else:
        return Limit(key, float(value), per_language)
    return None


def read_gate(raw: Any, line: int | None, problems: Problems) -> Gate | None:
    """The suite's `gate:` mapping; problems are added with their lines."""
    if not isinstance(raw, dict) or not raw:
        problems.add(line, "gate", "a mapping of limits, e.g. {min_accuracy: 0.9}")
        return None
    limits: list[Limit | None] = []
    for key in raw:
        if key == "per_language":
            inner = raw[key]
            if not isinstance(inner, dict) or not inner:
                problems.add(line_of(raw, key), "gate.per_language", "a mapping of limits")
                continue
            limits += [_limit(inner, str(k), "gate.per_language", True, problems) for k in inner]
        else:
            limits.append(_limit(raw, str(key), "gate", False, problems))
    return Gate(tuple(limit for limit in limits if limit is not None))


def _check(limit: Limit, scope: str, value: float | None, note: str | None) -> GateCheck:
    op = ">=" if limit.is_minimum else "<="
    if value is None:
        why = note or _UNMEASURED.get(limit.metric, "not measured")
        return GateCheck(limit.key, scope, limit.value, None, False, f"not measured: {why}")
    ok = value >= limit.value if limit.is_minimum else value <= limit.value
    reason = f"{limit.metric} {value:.4g} {op} {limit.value:g}"
    if not ok:
        reason = f"{limit.metric} {value:.4g} is not {op} {limit.value:g}"
    return GateCheck(limit.key, scope, limit.value, value, ok, reason)


def apply_gate(
    gate: Gate,
    metrics: Mapping[str, Any],
    *,
    regressions: int | None = None,
    notes: Mapping[str, str] | None = None,
) -> GateResult:
    """Each limit against the run's metrics (`overall` and `languages`, as in the report).

    `notes` explain why a metric is missing (e.g. the LLM endpoint failed).
    """
    notes = notes or {}
    checks: list[GateCheck] = []
    for limit in gate.limits:
        if limit.metric == "regressions":
            value = None if regressions is None else float(regressions)
            checks.append(_check(limit, "all", value, notes.get("regressions")))
        elif not limit.per_language:
            value = metrics["overall"].get(limit.metric)
            checks.append(_check(limit, "all", value, notes.get(limit.metric)))
        else:
            for lang, values in sorted(metrics["languages"].items()):
                checks.append(
                    _check(limit, lang, values.get(limit.metric), notes.get(limit.metric))
                )
    return GateResult(tuple(checks))
