"""``POST /predict``: top-k medications for an uploaded pill photo, cached in Redis."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from rxvision.serving.cache import cache_key
from rxvision.serving.deps import CacheDep, OptionsDep, PredictorDep, TopKDep
from rxvision.serving.images import check_content_type, decode_image, read_upload
from rxvision.serving.predictor import model_name, top_k
from rxvision.serving.schemas import ErrorResponse, PredictResponse

__all__ = ["router"]

router = APIRouter(tags=["predict"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The uploaded file is empty."},
    413: {
        "model": ErrorResponse,
        "description": "The upload is larger than `max_upload_bytes`, or the image has too many "
        "pixels to decode safely.",
    },
    415: {
        "model": ErrorResponse,
        "description": "The upload is not an image: its content type is not `image/*` (or "
        "`application/octet-stream`), or its bytes cannot be decoded as an image.",
    },
}


@router.post(
    "/predict",
    response_model=PredictResponse,
    responses=ERRORS,
    summary="Identify the medication in a pill photo",
    description="Upload an image as the multipart field `file`. The answer lists the `k` most "
    "probable medications with their probabilities, most probable first. Answers are cached in "
    "Redis under the SHA-256 of the image and `k`; a cached answer says `cached: true`.",
)
async def predict(
    file: Annotated[UploadFile, File(description="The pill photo (PNG, JPEG, WebP, ...).")],
    k: TopKDep,
    predictor: PredictorDep,
    cache: CacheDep,
    options: OptionsDep,
) -> PredictResponse:
    check_content_type(file.content_type)
    data = await read_upload(file, options.max_upload_bytes)
    digest = hashlib.sha256(data).hexdigest()
    key = cache_key(digest, k)
    if cache is not None and (hit := await cache.get(key)) is not None:
        return PredictResponse.model_validate_json(hit).model_copy(update={"cached": True})
    image = await run_in_threadpool(decode_image, data)
    probabilities = await run_in_threadpool(predictor.predict_proba, [image])
    predictions = top_k(probabilities[0], predictor.classes, k)
    response = PredictResponse(
        predictions=predictions, sha256=digest, cached=False, model=model_name(predictor)
    )
    if cache is not None:
        await cache.set(key, response.model_dump_json())
    return response
