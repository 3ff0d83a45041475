"""Request dependencies, as ``Annotated`` aliases the routes declare as parameter types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError

from rxvision.serving.cache import PredictionCache
from rxvision.serving.predictor import Predictor

__all__ = [
    "CacheDep",
    "OptionsDep",
    "PredictorDep",
    "ServingOptions",
    "TopKDep",
    "get_cache",
    "get_options",
    "get_predictor",
    "get_top_k",
]


@dataclass(frozen=True)
class ServingOptions:
    """The per-application limits given to ``create_app``."""

    max_upload_bytes: int = 5_000_000
    cache_ttl: int = 3600
    top_k_max: int = 10


def get_predictor(request: Request) -> Predictor:
    return request.app.state.predictor


def get_cache(request: Request) -> PredictionCache | None:
    return request.app.state.cache


def get_options(request: Request) -> ServingOptions:
    return request.app.state.options


def get_top_k(
    options: Annotated[ServingOptions, Depends(get_options)],
    k: Annotated[
        int,
        Query(
            ge=1,
            title="Top k",
            description="How many classes to return, most probable first: 1 to the server's "
            "`top_k_max` (10 by default). Larger than the number of classes returns them all.",
        ),
    ] = 3,
) -> int:
    """``k`` from the query, checked against the application's ``top_k_max`` (422 if above)."""
    if k > options.top_k_max:
        raise RequestValidationError(
            [
                {
                    "type": "less_than_equal",
                    "loc": ("query", "k"),
                    "msg": f"Input should be less than or equal to {options.top_k_max}",
                    "input": k,
                    "ctx": {"le": options.top_k_max},
                }
            ]
        )
    return k


PredictorDep = Annotated[Predictor, Depends(get_predictor)]
CacheDep = Annotated[PredictionCache | None, Depends(get_cache)]
OptionsDep = Annotated[ServingOptions, Depends(get_options)]
TopKDep = Annotated[int, Depends(get_top_k)]
