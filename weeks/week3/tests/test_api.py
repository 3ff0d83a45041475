"""Tests of week3.api: the FastAPI prediction service with a Redis cache.

Most tests run your app in-process (``httpx.ASGITransport``); two start it for real with
``uvicorn --factory`` on a free 127.0.0.1 port. The predictor is :class:`ColourPredictor` from
``_launch.py`` next to this file: it classifies an image by its mean colour, so every answer is
known in advance. Run one test with ``pytest weeks/week3/tests/test_api.py -k cache``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import io
import json
import os
import secrets
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx
import numpy as np
import pytest
import redis
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from grader._target import import_file, module_ref

_launch = import_file(Path(__file__).with_name("_launch.py"))
ColourPredictor = _launch.ColourPredictor

REDDISH = (210, 40, 30)
TEAL = (20, 160, 170)
Builder = Callable[..., FastAPI]


# -- helpers --------------------------------------------------------------------------------------
def image_bytes(
    colour: tuple[int, int, int] = REDDISH,
    fmt: str = "PNG",
    mode: str = "RGB",
    size: tuple[int, int] = (16, 16),
) -> bytes:
    """An image of one colour, with one random pixel so that its SHA-256 is new on every run."""
    image = Image.new("RGB", size, colour)
    image.putpixel((0, 0), tuple(secrets.randbelow(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, fmt)
    return buffer.getvalue()


def noisy_png(side: int) -> bytes:
    """A PNG that does not compress: about 3 * side**2 bytes."""
    pixels = np.random.default_rng(secrets.randbelow(2**32)).integers(0, 256, (side, side, 3))
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG file whose header claims width x height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def probabilities(data: bytes) -> dict[str, float]:
    """What ColourPredictor says about ``data``, label by label."""
    with Image.open(io.BytesIO(data)) as image:
        row = ColourPredictor().predict_proba([image.convert("RGB")])[0]
    return dict(zip(ColourPredictor.classes, map(float, row), strict=True))


def expected(data: bytes, k: int) -> list[tuple[str, float]]:
    """What the service must answer for ``data``: the k most probable (label, probability)."""
    return sorted(probabilities(data).items(), key=lambda item: -item[1])[:k]


def upload(data: bytes, content_type: str = "image/png", field: str = "file") -> dict[str, Any]:
    return {"files": {field: ("pill.png", data, content_type)}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_redis_url() -> str:
    """A Redis URL where nothing listens (the cache is down)."""
    return f"redis://127.0.0.1:{free_port()}/0"


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client talking to ``app`` in-process, with its startup and shutdown run."""
    async with app.router.lifespan_context(app):
        # a crash in the app becomes a 500 response (what a real server answers), not an error
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://rxvision.test") as c:
            yield c


def check_predictions(body: dict[str, Any], data: bytes, k: int) -> None:
    """``body`` holds the k most probable classes, most probable first (ties in any order)."""
    truth, want = probabilities(data), expected(data, k)
    got = [(p["label"], p["probability"]) for p in body["predictions"]]
    assert len(got) == len(want), f"expected {len(want)} predictions, got {len(got)}: {got}"
    for label, probability in got:
        assert label in truth, f"{label!r} is not one of predictor.classes {list(truth)}"
        assert probability == pytest.approx(truth[label], abs=1e-6), (
            f"probability of {label!r} should be predict_proba's value {truth[label]:.6f} "
            f"(no extra softmax, no scaling), got {probability}"
        )
    assert len({label for label, _ in got}) == len(got), f"a label appears twice: {got}"
    assert [p for _, p in got] == pytest.approx([p for _, p in want], abs=1e-6), (
        f"with k={k}, predictions should be the {k} most probable labels, most probable first: "
        f"{[label for label, _ in want]}; got {[label for label, _ in got]}"
    )


def check_error(response: httpx.Response, status: int | tuple[int, ...], *words: str) -> None:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (
        f"expected HTTP {' or '.join(map(str, statuses))}, got {response.status_code}: "
        f"{response.text[:300]}"
    )
    detail = response.json().get("detail")
    text = json.dumps(detail).lower()
    assert detail and len(text) > 8, f"the JSON body needs a helpful 'detail', got {detail!r}"
    assert any(word in text for word in words), (
        f"'detail' should tell the client what is wrong (mention one of {words}), got {detail!r}"
    )


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def predictor() -> Any:
    return ColourPredictor()


@pytest.fixture
def build(impl: ModuleType, predictor: Any) -> Builder:
    """``build(**options)`` calls your ``create_app(predictor, **options)``."""

    def build(**options: Any) -> FastAPI:
        app = impl.create_app(predictor, **options)
        assert isinstance(app, FastAPI), f"create_app should return a FastAPI app, got {app!r}"
        return app

    return build


# -- predictions ----------------------------------------------------------------------------------
@pytest.mark.clause("k", "response", "top-k", "probabilities")
@pytest.mark.anyio
@pytest.mark.parametrize("k", [1, 3, 5])
async def test_predict_returns_the_k_most_probable_classes_in_order(
    build: Builder, predictor: Any, k: int
) -> None:
    data = image_bytes(REDDISH)
    async with serve(build()) as client:
        response = await client.post(f"/predict?k={k}", **upload(data))
    assert response.status_code == 200, f"POST /predict?k={k} failed: {response.text[:300]}"
    body = response.json()
    assert len(body["predictions"]) == k, f"asked k={k}, got {len(body['predictions'])} items"
    check_predictions(body, data, k)
    assert body["predictions"][0]["label"] == "red", "a reddish image must come out 'red' first"
    assert body["cached"] is False, "without Redis nothing can come from the cache"
    assert predictor.calls == 1, f"the model should run once per request, ran {predictor.calls}"


@pytest.mark.clause("k")
@pytest.mark.anyio
async def test_k_defaults_to_three(build: Builder) -> None:
    data = image_bytes(TEAL)
    async with serve(build()) as client:
        response = await client.post("/predict", **upload(data))
    assert response.status_code == 200, (
        f"expected 200, got {response.status_code}: {response.text[:300]}"
    )
    check_predictions(response.json(), data, 3)


@pytest.mark.clause("k-above-classes")
@pytest.mark.anyio
async def test_k_above_the_number_of_classes_returns_every_class(build: Builder) -> None:
    data = image_bytes(TEAL)
    async with serve(build(top_k_max=10)) as client:
        response = await client.post("/predict?k=10", **upload(data))
    assert response.status_code == 200, (
        f"expected 200, got {response.status_code}: {response.text[:300]}"
    )
    body = response.json()
    check_predictions(body, data, len(ColourPredictor.classes))
    total = sum(p["probability"] for p in body["predictions"])
    assert total == pytest.approx(1.0, abs=1e-6), f"all classes' probabilities sum to {total}"


@pytest.mark.clause("k-range", "detail")
@pytest.mark.anyio
@pytest.mark.parametrize(("k", "top_k_max"), [(0, 10), (-1, 10), (11, 10), (5, 4)])
async def test_k_out_of_range_is_422(
    build: Builder, predictor: Any, k: int, top_k_max: int
) -> None:
    async with serve(build(top_k_max=top_k_max)) as client:
        response = await client.post(f"/predict?k={k}", **upload(image_bytes()))
    check_error(response, 422, '"k"', "k ")
    assert predictor.calls == 0, "reject a bad k before running the model"


@pytest.mark.clause("k-range")
@pytest.mark.anyio
async def test_k_at_top_k_max_is_accepted(build: Builder) -> None:
    async with serve(build(top_k_max=4)) as client:
        response = await client.post("/predict?k=4", **upload(image_bytes()))
    assert response.status_code == 200, f"k == top_k_max is allowed: {response.text[:300]}"
    assert len(response.json()["predictions"]) == 4, (
        f"POST /predict?k=4 should return 4 predictions, got {len(response.json()['predictions'])}"
    )


@pytest.mark.clause("sha256", "model-name")
@pytest.mark.anyio
async def test_response_names_the_image_hash_and_the_model(impl: ModuleType) -> None:
    data = image_bytes()
    async with serve(impl.create_app(ColourPredictor(name="pill-net-v2"))) as client:
        named = (await client.post("/predict", **upload(data))).json()
    async with serve(impl.create_app(ColourPredictor(name=None))) as client:
        unnamed = (await client.post("/predict", **upload(data))).json()
    assert named["sha256"] == hashlib.sha256(data).hexdigest(), (
        "sha256 must be hashlib.sha256(<the uploaded bytes>).hexdigest()"
    )
    assert named["model"] == "pill-net-v2", "model is predictor.name when the predictor has one"
    assert unnamed["model"] == "ColourPredictor", (
        f"without a name attribute, model is the predictor's class name; got {unnamed['model']!r}"
    )


@pytest.mark.clause("rgb", "content-type")
@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "mode", "content_type"),
    [
        ("PNG", "RGB", "image/png"),
        ("PNG", "L", "image/png"),
        ("PNG", "RGBA", "image/png"),
        ("PNG", "P", "image/png"),
        ("JPEG", "RGB", "image/jpeg"),
        ("PNG", "RGB", "application/octet-stream"),
    ],
)
async def test_the_model_receives_one_rgb_image(
    build: Builder, predictor: Any, fmt: str, mode: str, content_type: str
) -> None:
    data = image_bytes(REDDISH, fmt=fmt, mode=mode)
    async with serve(build()) as client:
        response = await client.post("/predict", **upload(data, content_type))
    assert response.status_code == 200, f"a {mode} {fmt} upload failed: {response.text[:300]}"
    assert predictor.modes == ["RGB"], (
        f"predict_proba should get a list with one RGB image (image.convert('RGB')), got modes "
        f"{predictor.modes}"
    )
    check_predictions(response.json(), data, 3)


# -- cache ----------------------------------------------------------------------------------------
@pytest.mark.clause("cache-key", "cache-value", "cache-ttl", "cache-hit")
@pytest.mark.anyio
async def test_second_identical_request_is_served_from_redis(
    build: Builder, predictor: Any, redis_url: str
) -> None:
    data = image_bytes()
    async with serve(build(redis_url=redis_url, cache_ttl=120)) as client:
        first = (await client.post("/predict?k=3", **upload(data))).json()
        second = (await client.post("/predict?k=3", **upload(data))).json()
    assert first["cached"] is False, "the first request cannot be a cache hit"
    assert second["cached"] is True, "the second identical request must say cached: true"
    assert predictor.calls == 1, f"a cache hit must not run the model; it ran {predictor.calls}x"
    assert second["predictions"] == first["predictions"] and second["sha256"] == first["sha256"], (
        "a cache hit answers exactly what was stored"
    )
    key = f"rxvision:predict:{first['sha256']}:3"
    with redis.Redis.from_url(redis_url) as store:
        stored, ttl = store.get(key), store.ttl(key)
    assert stored is not None, f"expected the answer in Redis under {key!r}"
    assert json.loads(stored)["predictions"] == first["predictions"], "store the JSON response"
    assert 0 < ttl <= 120, f"the key must expire after cache_ttl=120 s (SET ... EX), TTL is {ttl}"


@pytest.mark.clause("cache-key", "cache-hit")
@pytest.mark.anyio
async def test_cache_entries_are_per_image_and_per_k(
    build: Builder, predictor: Any, redis_url: str
) -> None:
    red, teal = image_bytes(REDDISH), image_bytes(TEAL)
    async with serve(build(redis_url=redis_url)) as client:
        await client.post("/predict?k=2", **upload(red))
        other_k = (await client.post("/predict?k=4", **upload(red))).json()
        other_image = (await client.post("/predict?k=2", **upload(teal))).json()
        again = (await client.post("/predict?k=2", **upload(red))).json()
    assert other_k["cached"] is False and len(other_k["predictions"]) == 4, (
        "the same image with another k is a different answer: put k in the cache key"
    )
    check_predictions(other_image, teal, 2)
    assert other_image["cached"] is False, "another image is a different answer (key on sha256)"
    assert again["cached"] is True and len(again["predictions"]) == 2, (
        f"asking again for k=2 should hit the cache entry of the first request, got {again}"
    )
    assert predictor.calls == 3, f"expected 3 model runs (3 misses, 1 hit), got {predictor.calls}"


@pytest.mark.clause("redis-down", "health-cache")
@pytest.mark.anyio
async def test_redis_down_still_answers_from_the_model(build: Builder, predictor: Any) -> None:
    data = image_bytes()
    async with serve(build(redis_url=dead_redis_url())) as client:
        first = await client.post("/predict", **upload(data))
        second = await client.post("/predict", **upload(data))
        health = await client.get("/health")
    for response in (first, second):
        assert response.status_code == 200, (
            f"when Redis is down, answer without the cache (catch redis errors), got "
            f"{response.status_code}: {response.text[:300]}"
        )
        assert response.json()["cached"] is False, "with Redis down nothing comes from the cache"
        check_predictions(response.json(), data, 3)
    assert predictor.calls == 2, f"each request runs the model, it ran {predictor.calls}x"
    assert health.status_code == 200 and health.json()["cache"] == "unavailable", health.text


# -- health and OpenAPI ---------------------------------------------------------------------------
@pytest.mark.clause("health", "health-cache")
@pytest.mark.anyio
async def test_health_reports_model_classes_and_cache(build: Builder, redis_url: str) -> None:
    async with serve(build(redis_url=redis_url)) as client:
        with_cache = await client.get("/health")
    async with serve(build()) as client:
        without = await client.get("/health")
    assert with_cache.status_code == 200, with_cache.text[:300]
    assert with_cache.json() == {
        "status": "ok",
        "model": "colour-test",
        "classes": 6,
        "cache": "ok",
    }, (
        "GET /health with a reachable Redis should return status 'ok', the model name "
        f"'colour-test', 6 classes and cache 'ok', got {with_cache.json()}"
    )
    assert without.json()["cache"] == "disabled", "no redis_url: cache is 'disabled'"


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


@pytest.mark.clause("openapi")
@pytest.mark.anyio
async def test_openapi_documents_the_routes_the_upload_and_the_errors(build: Builder) -> None:
    async with serve(build()) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200, (
        f"expected 200, got {response.status_code}: {response.text[:300]}"
    )
    spec = response.json()
    assert spec["info"]["title"] != "FastAPI", "give the app a title: FastAPI(title=...)"
    assert spec["info"].get("description"), "give the app a description"
    assert "post" in spec["paths"].get("/predict", {}), "POST /predict is missing"
    assert "get" in spec["paths"].get("/health", {}), "GET /health is missing"
    predict = spec["paths"]["/predict"]["post"]
    form = predict["requestBody"]["content"].get("multipart/form-data")
    assert form, "the /predict body must be multipart/form-data (a File/UploadFile parameter)"
    body = _resolve(spec, form["schema"])
    file_schema = body["properties"].get("file", {})
    assert "file" in body.get("required", []), "the upload field is named 'file' and required"
    assert file_schema.get("format") == "binary" or "contentMediaType" in file_schema, (
        f"'file' should be a binary upload, its schema is {file_schema}"
    )
    ok = _resolve(spec, predict["responses"]["200"]["content"]["application/json"]["schema"])
    assert {"predictions", "sha256", "cached", "model"} <= set(ok["properties"]), (
        "use response_model=PredictResponse on /predict"
    )
    assert {"400", "413", "415", "422"} <= set(predict["responses"]), (
        f"document the 4xx answers of /predict with responses={{...}}; documented: "
        f"{sorted(predict['responses'])}"
    )
    health = spec["paths"]["/health"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "cache" in _resolve(spec, health["schema"])["properties"], "response_model on /health"


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.clause("missing-file", "detail")
@pytest.mark.anyio
async def test_missing_file_field_is_422(build: Builder, predictor: Any) -> None:
    async with serve(build()) as client:
        response = await client.post("/predict", **upload(image_bytes(), field="image"))
    check_error(response, 422, "file")
    assert predictor.calls == 0, "bad input must be refused before the model runs"


@pytest.mark.clause("empty", "detail")
@pytest.mark.anyio
async def test_empty_upload_is_400(build: Builder, predictor: Any) -> None:
    async with serve(build()) as client:
        response = await client.post("/predict", **upload(b""))
    check_error(response, 400, "empty", "0 bytes", "no data")
    assert predictor.calls == 0, "bad input must be refused before the model runs"


@pytest.mark.clause("too-large", "detail")
@pytest.mark.anyio
async def test_upload_over_max_upload_bytes_is_413(build: Builder, predictor: Any) -> None:
    data = noisy_png(48)
    async with serve(build(max_upload_bytes=len(data))) as client:
        at_limit = await client.post("/predict", **upload(data))
    async with serve(build(max_upload_bytes=len(data) - 1)) as client:
        over = await client.post("/predict", **upload(data))
        huge = await client.post("/predict", **upload(data * 400))
    assert at_limit.status_code == 200, (
        f"an upload of exactly max_upload_bytes is allowed, got {at_limit.status_code}"
    )
    check_error(over, 413, "large", "limit", "size", "bytes")
    check_error(huge, 413, "large", "limit", "size", "bytes")
    assert predictor.calls == 1, "only the upload within the limit may reach the model"


@pytest.mark.clause("content-type", "detail")
@pytest.mark.anyio
async def test_wrong_content_type_is_415(build: Builder, predictor: Any) -> None:
    async with serve(build()) as client:
        response = await client.post("/predict", **upload(image_bytes(), "text/plain"))
    check_error(response, 415, "image")
    assert predictor.calls == 0, "a text/plain upload must be refused before the model runs"


@pytest.mark.clause("not-an-image", "detail")
@pytest.mark.anyio
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"this is not an image at all", id="text"),
        pytest.param(b"\x89PNG\r\n\x1a\n", id="png-signature-only"),
        pytest.param("truncated", id="truncated-png"),
        pytest.param("corrupted", id="corrupted-png"),
    ],
)
async def test_bytes_that_are_not_an_image_are_refused(
    build: Builder, predictor: Any, payload: bytes | str
) -> None:
    if payload == "truncated":
        payload = noisy_png(32)[:400]
    elif payload == "corrupted":
        good = bytearray(noisy_png(32))
        good[200:260] = bytes(60)
        payload = bytes(good)
    async with serve(build()) as client:
        response = await client.post("/predict", **upload(payload, "image/png"))
    check_error(response, 415, "image", "decode")
    assert predictor.calls == 0, "bad input must be refused before the model runs"


@pytest.mark.clause("bomb", "detail")
@pytest.mark.anyio
async def test_decompression_bomb_is_refused(build: Builder, predictor: Any) -> None:
    async with serve(build()) as client:
        response = await client.post("/predict", **upload(bomb_png(), "image/png"))
    check_error(response, 413, "large", "pixels", "image", "size")
    assert predictor.calls == 0, "bad input must be refused before the model runs"


# -- a real server --------------------------------------------------------------------------------
@pytest.fixture
def live_server(impl: ModuleType, rx_root: Path, redis_url: str) -> Iterator[str]:
    """Your app under ``python -m uvicorn --factory`` on a free port; yields its base URL."""
    impl.create_app(ColourPredictor())  # fails here, with your traceback, while it is a stub
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        _launch.ENV_MODULE: module_ref(impl),
        _launch.ENV_REDIS_URL: redis_url,
        _launch.ENV_MAX_UPLOAD: "50000",
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "_launch:create",
        "--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=rx_root, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            _wait_until_up(process, base, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")[-3000:]
            if "NotImplementedError" in output:
                raise NotImplementedError(f"uvicorn could not build the app:\n{output}")
            pytest.fail(f"uvicorn exited with code {process.returncode}:\n{output}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail("uvicorn did not answer GET /health within 30 s")


@pytest.mark.clause("cache-hit", "health-cache")
def test_real_server_predicts_and_caches(live_server: str) -> None:
    data = image_bytes()
    with httpx.Client(base_url=live_server, timeout=10) as client:
        first = client.post("/predict?k=2", **upload(data))
        second = client.post("/predict?k=2", **upload(data))
        health = client.get("/health")
    assert first.status_code == 200, first.text[:300]
    check_predictions(first.json(), data, 2)
    cached = (first.json()["cached"], second.json()["cached"])
    assert cached == (False, True), f"cached should be False then True, got {cached}"
    assert health.json()["cache"] == "ok", f"Redis is up, /health says {health.json()}"


@pytest.mark.clause("content-type", "too-large", "not-an-image")
def test_real_server_refuses_bad_input(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=10) as client:
        wrong_type = client.post("/predict", **upload(image_bytes(), "text/plain"))
        too_big = client.post("/predict", **upload(noisy_png(200)))
        not_image = client.post("/predict", **upload(b"GIF89a but not really", "image/gif"))
    check_error(wrong_type, 415, "image")
    check_error(too_big, 413, "large", "limit", "size", "bytes")
    check_error(not_image, 415, "image", "decode")


# -- differential: your app and the reference answer the same requests ----------------------------
# Each request goes to your app and to the reference app (built with the same options and their
# own ColourPredictor); the status codes must be equal, and so must the bodies: the predictions of
# a 200, and for a 4xx a JSON ``detail`` (a string for 400, 413 and 415; the wording is yours).
Request = dict[str, Any]


def multipart(*parts: bytes, boundary: bytes = b"rxb0und") -> Request:
    """A raw multipart body built from ``parts`` (each a part's headers + blank line + data)."""
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return {
        "content": body + b"--" + boundary + b"--\r\n",
        "headers": {"content-type": f"multipart/form-data; boundary={boundary.decode()}"},
    }


def file_part(data: bytes, content_type: str | None, name: str = "file") -> bytes:
    header = f'Content-Disposition: form-data; name="{name}"; filename="pill.png"\r\n'
    if content_type is not None:
        header += f"Content-Type: {content_type}\r\n"
    return header.encode() + b"\r\n" + data


async def answer(app: FastAPI, method: str, url: str, request: Request) -> tuple[int, Any]:
    async with serve(app) as client:
        response = await client.request(method, url, **request)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def compare_answers(what: str, got: tuple[int, Any], want: tuple[int, Any]) -> None:
    (status, body), (want_status, want_body) = got, want
    assert status == want_status, (
        f"{what}: expected HTTP {want_status} (the reference answers {str(want_body)[:200]}), "
        f"got {status}: {str(body)[:300]}"
    )
    assert isinstance(body, dict), f"{what}: the answer must be a JSON object, got {body!r:.300}"
    if status == 200:
        for field in ("sha256", "cached", "model"):
            assert body.get(field) == want_body[field], (
                f"{what}: {field!r} should be {want_body[field]!r}, got {body.get(field)!r}"
            )
        got_p = [(p["label"], p["probability"]) for p in body["predictions"]]
        want_p = [(p["label"], p["probability"]) for p in want_body["predictions"]]
        assert [p for _, p in got_p] == pytest.approx([p for _, p in want_p], abs=1e-9), (
            f"{what}: predictions should be {want_p}, got {got_p}"
        )
        assert dict(got_p) == pytest.approx(dict(want_p), abs=1e-9), (
            f"{what}: predictions should be {want_p} (ties in any order), got {got_p}"
        )
        return
    detail = body.get("detail")
    assert detail, f"{what}: a {status} answer needs a non-empty JSON 'detail', got {body!r:.300}"
    if isinstance(want_body.get("detail"), str) and status in (400, 413, 415):
        assert isinstance(detail, str), f"{what}: 'detail' of a {status} is a string: {detail!r}"


def same_answers(
    impl: ModuleType, reference: ModuleType, what: str, url: str, request: Request, **options: Any
) -> int:
    """Send one request to both apps; fail unless they answer alike. Returns the status."""

    async def both() -> tuple[tuple[int, Any], tuple[int, Any]]:
        want = await answer(
            reference.create_app(ColourPredictor(), **options), "POST", url, request
        )
        got = await answer(impl.create_app(ColourPredictor(), **options), "POST", url, request)
        return got, want

    got, want = anyio.run(both)
    compare_answers(what, got, want)
    return want[0]


PNG = image_bytes(REDDISH)
HOSTILE: dict[str, tuple[str, Request]] = {
    "k=abc": ("/predict?k=abc", upload(PNG)),
    "k=1.5": ("/predict?k=1.5", upload(PNG)),
    "k empty": ("/predict?k=", upload(PNG)),
    "k=0": ("/predict?k=0", upload(PNG)),
    "k huge": ("/predict?k=99999999999999999999999", upload(PNG)),
    "json body": ("/predict", {"json": {"file": "iVBORw0KGgo="}}),
    "urlencoded body": ("/predict", {"data": {"file": "pill.png"}}),
    "no body": ("/predict", {}),
    "multipart without boundary": (
        "/predict",
        {"content": b"garbage", "headers": {"content-type": "multipart/form-data"}},
    ),
    "broken multipart": (
        "/predict",
        {"content": b"garbage", "headers": {"content-type": "multipart/form-data; boundary=x"}},
    ),
    "empty multipart": (
        "/predict",
        {"content": b"", "headers": {"content-type": "multipart/form-data; boundary=x"}},
    ),
    "truncated multipart": (
        "/predict",
        {**multipart(), "content": multipart(file_part(PNG, "image/png"))["content"][:120]},
    ),
    "file is a plain field": (
        "/predict",
        multipart(b'Content-Disposition: form-data; name="file"\r\n\r\nhello'),
    ),
    "file part without a content type": ("/predict", multipart(file_part(PNG, None))),
    "empty content type": ("/predict", upload(PNG, "")),
    "text/png": ("/predict", upload(PNG, "text/png")),
    "application/pdf": ("/predict", upload(PNG, "application/pdf")),
    "image/webp label on a PNG": ("/predict", upload(PNG, "image/webp")),
    "empty upload, octet-stream": ("/predict", upload(b"", "application/octet-stream")),
    "GIF signature only": ("/predict", upload(b"GIF89a", "image/gif")),
    "decompression bomb": ("/predict", upload(bomb_png(60_000, 60_000))),
}


@pytest.mark.clause("malformed", "k-range", "content-type", "empty", "missing-file", "detail")
@pytest.mark.clause("not-an-image", "bomb")
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_requests_get_the_reference_answer(
    impl: ModuleType, reference: ModuleType, case: str
) -> None:
    url, request = HOSTILE[case]
    status = same_answers(impl, reference, case, url, request, top_k_max=4)
    assert status < 500, f"the reference answers {status} to {case!r}: report it"


@pytest.fixture
def started(impl: ModuleType) -> None:
    """Fails at once (not once per Hypothesis example) while ``create_app`` is a stub."""
    impl.create_app(ColourPredictor())


@pytest.mark.clause("k", "k-range", "k-above-classes", "top-k", "content-type", "detail")
@pytest.mark.usefixtures("started")
@settings(max_examples=40)
@given(
    k=st.one_of(
        st.none(),
        st.integers(-2, 12).map(str),
        st.sampled_from(["", "abc", "1.5", "3.0", "1e3", "0x3", "99999999999999999999"]),
    ),
    top_k_max=st.sampled_from([1, 2, 5, 6, 7, 10, 50]),
    content_type=st.sampled_from(
        ["image/png", "image/jpeg", "application/octet-stream", "text/plain", "application/json"]
    ),
    colour=st.sampled_from([REDDISH, TEAL, (0, 0, 0), (128, 128, 128)]),
)
def test_k_and_content_type_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    k: str | None,
    top_k_max: int,
    content_type: str,
    colour: tuple[int, int, int],
) -> None:
    url = "/predict" if k is None else f"/predict?k={k}"
    what = f"POST {url} (top_k_max={top_k_max}, content type {content_type!r})"
    same_answers(
        impl, reference, what, url, upload(image_bytes(colour), content_type), top_k_max=top_k_max
    )


@pytest.mark.clause("too-large", "empty", "detail")
@pytest.mark.parametrize("limit", [1, 777, 5_000])
@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_sizes_around_a_non_default_limit_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, limit: int, extra: int
) -> None:
    # a PNG padded with trailing bytes (Pillow ignores them) to exactly limit + extra bytes
    data = image_bytes(size=(2, 2))
    size = limit + extra
    body = (data + bytes(max(0, size - len(data))))[:size] if size >= len(data) else b"x" * size
    what = f"an upload of {len(body)} bytes with max_upload_bytes={limit}"
    same_answers(impl, reference, what, "/predict", upload(body), max_upload_bytes=limit)


# -- the upload limit is enforced before the body is read -----------------------------------------
@pytest.mark.clause("bounded-read", "too-large")
@pytest.mark.anyio
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_an_oversized_body_is_refused_without_reading_it(
    build: Builder, predictor: Any, declared: bool
) -> None:
    limit, chunk, chunks = 1_000, 16_384, 256  # a 4 MiB body for a 1000-byte limit
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        head = file_part(b"", "image/png")
        yield b"--rxb0und\r\n" + head
        for _ in range(chunks):
            pulled += chunk
            yield bytes(chunk)
        yield b"\r\n--rxb0und--\r\n"

    headers = {"content-type": "multipart/form-data; boundary=rxb0und"}
    if declared:
        headers["content-length"] = str(chunk * chunks + len(file_part(b"", "image/png")) + 28)
    async with serve(build(max_upload_bytes=limit)) as client:
        response = await client.post("/predict", content=body(), headers=headers)
    check_error(response, 413, "large", "limit", "size", "bytes")
    allowed = limit + 16_384 + 2 * chunk
    assert pulled <= allowed, (
        f"with max_upload_bytes={limit}, the app read {pulled} bytes of a {chunk * chunks}-byte "
        f"upload before answering 413; refuse a body over the limit (plus 16 KiB of multipart "
        f"envelope) as it arrives, without reading the rest (an ASGI middleware on receive)"
    )
    assert predictor.calls == 0, (
        f"an oversized upload must be refused before the model runs; it ran {predictor.calls}x"
    )


# -- Redis that accepts connections and never answers ---------------------------------------------
class StalledRedis:
    """A TCP server that accepts connections and never answers: a hung Redis."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self._server.getsockname()[1]}/0"

    def _accept(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                connection, _ = self._server.accept()
                self.accepted += 1
                self._open.append(connection)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for connection in self._open:
            connection.close()
        self._server.close()


@pytest.fixture
def stalled_redis() -> Iterator[StalledRedis]:
    server = StalledRedis()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.clause("redis-stalled", "redis-down", "health-cache")
@pytest.mark.anyio
async def test_a_redis_that_never_answers_does_not_hang_requests(
    build: Builder, predictor: Any, stalled_redis: StalledRedis
) -> None:
    data = image_bytes()
    app = build(redis_url=stalled_redis.url)
    with anyio.move_on_after(20) as scope:
        async with serve(app) as client:
            first = await client.post("/predict?k=2", **upload(data))
            second = await client.post("/predict?k=2", **upload(data))
            health = await client.get("/health")
    assert not scope.cancelled_caught, (
        "with a Redis that accepts connections and never answers, the requests did not finish "
        "within 20 s: give the Redis client short timeouts (socket_timeout=0.5, "
        "socket_connect_timeout=0.5) and treat a timeout as a cache miss"
    )
    for response in (first, second):
        assert response.status_code == 200, (
            f"a stalled Redis is a cache miss, not an error; got {response.status_code}: "
            f"{response.text[:300]}"
        )
        assert response.json()["cached"] is False, (
            f"a stalled Redis is a cache miss: want cached false, got {response.json()['cached']!r}"
        )
        check_predictions(response.json(), data, 2)
    assert health.status_code == 200 and health.json()["cache"] == "unavailable", health.text


@pytest.mark.clause("lazy-connect")
def test_create_app_does_not_connect_to_redis(
    impl: ModuleType, stalled_redis: StalledRedis
) -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        built = pool.submit(impl.create_app, ColourPredictor(), redis_url=stalled_redis.url)
        try:
            app = built.result(timeout=20)
        except concurrent.futures.TimeoutError:
            pytest.fail("create_app blocked on a Redis that does not answer: connect lazily")
    assert isinstance(app, FastAPI), (
        f"create_app should return a FastAPI app, got {type(app).__name__}"
    )
    time.sleep(0.3)
    assert stalled_redis.accepted == 0, (
        "create_app opened a connection to Redis; do not connect there, the first request does"
    )
    dead = impl.create_app(ColourPredictor(), redis_url=dead_redis_url())
    assert isinstance(dead, FastAPI), "create_app with a dead Redis must still build the app"


@pytest.mark.clause("independent", "k-range", "model-name")
@pytest.mark.anyio
async def test_two_apps_are_independent(impl: ModuleType) -> None:
    small_model, large_model = ColourPredictor("small-net"), ColourPredictor("large-net")
    small = impl.create_app(small_model, top_k_max=2, max_upload_bytes=100_000)
    impl.create_app(large_model, top_k_max=6, max_upload_bytes=100_000)
    async with serve(small) as client:
        refused = await client.post("/predict?k=5", **upload(image_bytes()))
        served = await client.post("/predict?k=2", **upload(image_bytes()))
    assert refused.status_code == 422, (
        f"an app built with top_k_max=2 answered {refused.status_code} to k=5 after another app "
        "was built with top_k_max=6: keep each app's options in that app (no module globals)"
    )
    assert served.status_code == 200 and served.json()["model"] == "small-net", (
        f"the first app must serve its own predictor, got {served.text[:300]}"
    )
    assert (small_model.calls, large_model.calls) == (1, 0), "each app calls its own predictor"


@pytest.mark.clause("bounded-read", "too-large")
def test_real_server_refuses_a_huge_declared_body_without_waiting_for_it(live_server: str) -> None:
    host, port = live_server.removeprefix("http://").split(":")
    head = (
        "POST /predict HTTP/1.1\r\nHost: rxvision.test\r\n"
        "Content-Type: multipart/form-data; boundary=rxb0und\r\n"
        f"Content-Length: {10**9}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + b"--rxb0und\r\n" + file_part(b"\x89PNG", "image/png"))
        try:
            reply = sock.recv(4096)
        except TimeoutError:
            reply = b""
    status_line = reply.split(b"\r\n", 1)[0].decode(errors="replace")
    assert " 413 " in status_line + " ", (
        "a request declaring a 1 GB body (the server's limit is 50000 bytes) should be answered "
        f"413 at once, from its Content-Length; got {status_line or 'no answer within 10 s'!r}"
    )
