"""Fellegi–Sunter scoring: each comparison's outcome weighs log2(m/u) bits.

``m`` is how often the outcome is seen when the two records are one person, ``u`` when they
are two; the weights add up (the comparisons taken as independent given the truth), and the
prior odds of a match turn the total into a probability. Agreeing names weigh by how rare
their agreeing tokens are (``u`` is then the chance two strangers share them), so "Siti
Nur" agreeing proves little and "Pattiasina" much; a single-token name weighs at most
``SINGLE_TOKEN_CAP`` bits, so it is the other comparisons that decide.

The parameters are estimated offline (``training``: ``u`` from random pairs, ``m`` by
expectation–maximisation over the blocked pairs, no labels) on the synthetic Indonesian
population and shipped as data (``model.json``); ``benchmarks/linkage_quality.py`` rebuilds
them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

from peduli.registry.linkage.comparisons import LinkRecord, Outcome, compare

SINGLE_TOKEN_CAP = 4.0  # bits a one-token name can prove on its own
MIN_TOKEN_U = 1e-6  # no agreeing name proves more than this rarity
MODEL_RESOURCE = "model.json"
_AGREES = (Outcome.EXACT, Outcome.CLOSE)


@dataclass(frozen=True)
class Scored:
    """A scored pair: the evidence of each comparison, total weight and probability."""

    evidence: list[dict[str, Any]]
    weight: float
    probability: float


@dataclass(frozen=True)
class Model:
    """The m/u probabilities of each comparison's outcomes, the prior, the thresholds."""

    prior: float  # share of the blocked pairs that are one person
    parameters: Mapping[str, Mapping[str, tuple[float, float]]]
    token_frequencies: Mapping[str, float]
    review_threshold: float  # at or above: flagged for an officer
    likely_threshold: float  # at or above: flagged as very likely one person

    def outcome_weight(self, comparison: str, outcome: str) -> float:
        """log2(m/u); a missing value proves nothing either way (0)."""
        if outcome == Outcome.MISSING:
            return 0.0
        return self._weights[comparison][outcome]

    @cached_property
    def _weights(self) -> dict[str, dict[str, float]]:
        # Computed once: the batch weighs millions of outcomes.
        return {
            c: {o: math.log2(m / u) for o, (m, u) in p.items()} for c, p in self.parameters.items()
        }

    @cached_property
    def prior_weight(self) -> float:
        """The prior odds of one person, in log2."""
        return math.log2(self.prior / (1 - self.prior))

    def name_weight(self, outcome: Outcome, agreeing: Sequence[str], shortest: int) -> float:
        """The name's weight, by how rare its agreeing tokens are."""
        if outcome in (Outcome.MISSING, Outcome.DIFFERENT):
            return self.outcome_weight("name", outcome)
        m, level_u = self.parameters["name"][outcome]
        u = 1.0
        for token in agreeing:
            u *= self.token_frequencies.get(token, _unseen())
        weight = math.log2(m / max(min(u, level_u), MIN_TOKEN_U))
        return min(weight, SINGLE_TOKEN_CAP) if shortest == 1 else weight

    def score(self, a: LinkRecord, b: LinkRecord) -> Scored:
        """The pair's evidence, weight and probability."""
        outcomes, weights, total = self._weighed(a, b)
        return self._scored(outcomes, weights, total)

    def score_if_likely(self, a: LinkRecord, b: LinkRecord) -> Scored | None:
        """``score`` for a pair at or above the review threshold, else None: the batch
        writes the evidence of the few pairs it flags, not of every blocked pair."""
        outcomes, weights, total = self._weighed(a, b)
        if probability(total) < self.review_threshold:
            return None
        return self._scored(outcomes, weights, total)

    def _weighed(
        self, a: LinkRecord, b: LinkRecord
    ) -> tuple[dict[str, Outcome], list[float], float]:
        outcomes, agreeing = compare(a, b)
        weights = []
        total = self.prior_weight
        for comparison, outcome in outcomes.items():
            if comparison == "name":
                shortest = min(len(a.tokens), len(b.tokens))
                weight = self.name_weight(outcome, agreeing, shortest)
            elif comparison == "home_regency" and (
                outcomes["nik"] in _AGREES or outcomes["birth_place"] in _AGREES
            ):
                # The regency is the NIK's first digits, and mostly where one was born:
                # counted there already (the comparisons are not independent).
                weight = 0.0
            else:
                weight = self.outcome_weight(comparison, outcome)
            total += weight
            weights.append(weight)
        return outcomes, weights, total

    @staticmethod
    def _scored(outcomes: dict[str, Outcome], weights: list[float], total: float) -> Scored:
        evidence = [
            {"comparison": comparison, "outcome": outcome.value, "weight": round(weight, 2)}
            for (comparison, outcome), weight in zip(outcomes.items(), weights, strict=True)
        ]
        return Scored(evidence, round(total, 3), probability(total))

    def to_json(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "review_threshold": self.review_threshold,
            "likely_threshold": self.likely_threshold,
            "parameters": {
                c: {o: list(mu) for o, mu in p.items()} for c, p in self.parameters.items()
            },
            "token_frequencies": dict(sorted(self.token_frequencies.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        return cls(
            prior=data["prior"],
            parameters={
                c: {o: (mu[0], mu[1]) for o, mu in p.items()} for c, p in data["parameters"].items()
            },
            token_frequencies=data["token_frequencies"],
            review_threshold=data["review_threshold"],
            likely_threshold=data["likely_threshold"],
        )


def probability(log_odds: float) -> float:
    """The probability of one person from the total log2 odds."""
    if log_odds > 60:
        return 1.0
    odds = 2.0**log_odds
    return odds / (1 + odds)


def _unseen() -> float:
    from peduli.registry.linkage.names import UNSEEN_FREQUENCY

    return UNSEEN_FREQUENCY


@cache
def get_model() -> Model:
    """The shipped model (``model.json`` beside this module)."""
    text = resources.files(__package__).joinpath(MODEL_RESOURCE).read_text(encoding="utf-8")
    return Model.from_json(json.loads(text))
