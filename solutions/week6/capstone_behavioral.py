"""Capstone: behavioural question coverage (solution): which stories answer which question."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

__all__ = ["PORTFOLIO", "answers"]

#: Found through the package, not ``__file__``, so that an edited copy of this module imported
#: from elsewhere (a grader mutant) reads the same portfolio.
PORTFOLIO: Path = Path(import_module(__package__).__file__).resolve().parent / "portfolio"

FIELD_GAP = "Closing the studio-to-field gap"
CONFIDENCE = "Making confidence mean something to pharmacists"
FLAKY_TEST = "The flaky cache test nobody owned"
CNN_VS_VIT = "EfficientNet or ViT, settled by measurement"
PRODUCTION_READY = '"Make it production-ready" without a definition'
BAD_PROMOTION = "The promotion that broke a rare pill"
STREAMING = "Learning event streaming in three days"
QUANTISING = "Quantising the model before the demo"
CALIBRATION = "Calibration or accuracy for the pilot release"
REFRAMED = 'From "more labels" to "fewer wrong auto-accepts"'
BATCHING = "Dynamic batching on CPU pods"
PHASH = "A perceptual-hash cache for near-duplicate photos"


def answers() -> dict[str, list[str]]:
    """Question id -> the stories to tell, best first (see the stub)."""
    return {
        "owned_beyond_role": [FLAKY_TEST, FIELD_GAP],
        "long_term_tradeoff": [FIELD_GAP, BATCHING],
        "unclear_requirements": [PRODUCTION_READY, REFRAMED],
        "incomplete_data": [QUANTISING, PRODUCTION_READY],
        "calculated_risk": [QUANTISING, STREAMING],
        "disagreed_senior": [CNN_VS_VIT, CALIBRATION],
        "conflict_in_team": [CALIBRATION, CNN_VS_VIT],
        "biggest_failure": [BAD_PROMOTION, PHASH],
        "missed_deadline": [BAD_PROMOTION, PHASH],
        "learned_fast": [STREAMING, CONFIDENCE],
        "customer_insight": [CONFIDENCE, PRODUCTION_READY],
        "customer_vs_team": [PRODUCTION_READY, CONFIDENCE],
        "delivered_under_pressure": [FIELD_GAP, BATCHING],
        "influenced_without_authority": [CALIBRATION, FLAKY_TEST],
        "raised_the_bar": [FIELD_GAP, CALIBRATION],
        "simplified": [BATCHING, REFRAMED],
        "stakeholder_pushback": [CALIBRATION, PRODUCTION_READY],
        "changed_your_mind": [CNN_VS_VIT, PHASH],
        "mistake_in_production": [BAD_PROMOTION, QUANTISING],
        "ambiguous_goal": [PRODUCTION_READY, REFRAMED],
        "tight_deadline": [QUANTISING, STREAMING],
        "helped_grow": [CALIBRATION, STREAMING],
        "unblocked_someone": [FLAKY_TEST, CALIBRATION],
        "decided_with_data": [CNN_VS_VIT, CALIBRATION],
        "improved_process": [BATCHING, FIELD_GAP],
        "idea_that_failed": [PHASH, BAD_PROMOTION],
        "reframed_problem": [REFRAMED, PRODUCTION_READY],
        "outside_comfort_zone": [STREAMING, CONFIDENCE],
        "high_standards": [CALIBRATION, CONFIDENCE],
        "nobody_owned_it": [FLAKY_TEST, QUANTISING],
    }
