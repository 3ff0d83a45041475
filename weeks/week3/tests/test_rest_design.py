"""Tests of week3.rest_design: status codes, Location, problem details and cursor pagination.

Your app runs in-process (``httpx.ASGITransport``; a crash becomes a 500 response, as a real
server would answer). The pagination tests walk every page while other requests insert
medications, and check that no item is skipped or repeated. Run one part with
``pytest weeks/week3/tests/test_rest_design.py -k page``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime
from http import HTTPStatus
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

PROBLEM_JSON = "application/problem+json"
NAMES = ["Amoxicillin", "Atorvastatin", "Ibuprofen", "Metformin", "Omeprazole", "Paracetamol"]
COLOURS = ["white", "pink", "yellow"]


# -- helpers --------------------------------------------------------------------------------------
def run(scenario: Coroutine[Any, Any, Any]) -> Any:
    async def bounded() -> Any:
        return await asyncio.wait_for(scenario, 20)

    return asyncio.run(bounded())


@asynccontextmanager
async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://rx.test") as client:
        yield client


def medication(i: int, name: str | None = None, **fields: Any) -> dict[str, Any]:
    """A valid MedicationIn body with a unique NDC."""
    body = {
        "ndc": f"{i:05d}-{i % 10000:04d}-{i % 100:02d}",
        "name": name if name is not None else NAMES[i % len(NAMES)],
        "strength_mg": 100 + i,
        "form": "tablet" if i % 2 else "capsule",
        "colour": COLOURS[i % len(COLOURS)],
    }
    return {**body, **fields}


def seed(impl: ModuleType, bodies: list[dict[str, Any]]) -> Any:
    store = impl.Store()
    for body in bodies:
        store.add_medication(impl.MedicationIn(**body))
    return store


def key(item: dict[str, Any]) -> tuple[str, str]:
    return item["name"], item["id"]


def check_problem(response: httpx.Response, status: int, path: str, what: str) -> dict:
    """``response`` must be an RFC 9457 problem with ``status`` about ``path``."""
    assert response.status_code == status, (
        f"{what}: want HTTP {status}, got {response.status_code} ({response.text[:200]})"
    )
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    assert media_type == PROBLEM_JSON, (
        f"{what}: errors must use the media type {PROBLEM_JSON} (RFC 9457), got {media_type!r}. "
        "Register exception handlers for starlette's HTTPException and RequestValidationError"
    )
    body = response.json()
    want = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    got = {k: body.get(k) for k in want}
    assert got == want, f"{what}: problem fields should be {want}, got {got}"
    assert isinstance(body.get("detail"), str) and body["detail"], (
        f"{what}: 'detail' must explain the problem in words, got {body.get('detail')!r}"
    )
    assert body.get("instance") == path, (
        f"{what}: 'instance' must be the request path {path!r}, got {body.get('instance')!r}"
    )
    return body


async def walk(
    client: httpx.AsyncClient,
    first_url: str,
    between: Callable[[int], Coroutine[Any, Any, None]] | None = None,
    follow_link: bool = False,
    max_pages: int = 200,
) -> tuple[list[dict[str, Any]], list[httpx.Response]]:
    """Every item of every page, following next_cursor (or the Link header)."""
    items: list[dict[str, Any]] = []
    responses: list[httpx.Response] = []
    url = first_url
    for page_number in range(max_pages):
        response = await client.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code} {response.text}"
        responses.append(response)
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if between is not None:
            await between(page_number)
        if cursor is None:
            return items, responses
        if follow_link:
            link = response.headers.get("link", "")
            match = re.fullmatch(r'\s*<([^>]+)>\s*;\s*rel="?next"?\s*', link)
            assert match, f'a page with a next_cursor needs `Link: <URL>; rel="next"`, got {link!r}'
            url = match.group(1)
        else:
            parts = urlsplit(url)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            query["cursor"] = cursor
            url = str(httpx.URL(parts.path, params=query))
    pytest.fail(f"more than {max_pages} pages: is next_cursor ever null?")


# -- cursors --------------------------------------------------------------------------------------
@pytest.mark.clause("cursor-format", "decode", "decode-invalid")
def test_cursor_round_trip_and_url_safety(impl: ModuleType) -> None:
    for name, mid in [
        ("Amoxicillin", "med_000001"),
        ("Ibuprofen?", "med_000123"),  # plain base64 would contain '/'
        ("Co-codamol >>", "med_000042"),  # plain base64 would contain '+'
        ("Paracétamol 500 µg", "med_999999"),
    ]:
        cursor = impl.encode_cursor(name, mid)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor), (
            f"cursor for {(name, mid)} must be URL-safe base64 without '=' padding "
            f"(base64.urlsafe_b64encode(...).rstrip('=')), got {cursor!r}"
        )
        assert tuple(impl.decode_cursor(cursor)) == (name, mid), (
            f"decode_cursor(encode_cursor{(name, mid)}) should give back {(name, mid)}"
        )
    for bad in [
        "not a cursor!",
        base64.urlsafe_b64encode(b'{"offset": 40}').decode(),
        base64.urlsafe_b64encode(b'["only one"]').decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ]:
        with pytest.raises(ValueError):
            impl.decode_cursor(bad)


# -- status codes ---------------------------------------------------------------------------------
@pytest.mark.clause("create", "get")
def test_create_returns_201_with_location(impl: ModuleType) -> None:
    async def scenario() -> tuple[httpx.Response, httpx.Response | None]:
        async with client_for(impl.create_app(impl.Store())) as client:
            created = await client.post("/v1/medications", json=medication(1))
            location = created.headers.get("location")
            fetched = await client.get(urlsplit(location).path) if location else None
            return created, fetched

    created, fetched = run(scenario())
    assert created.status_code == 201, (
        f"POST /v1/medications must answer 201 Created, got {created.status_code}: "
        f"{created.text[:200]} (use status_code=201 on the route)"
    )
    body = created.json()
    assert body.get("id") and {k: body[k] for k in medication(1)} == medication(1), (
        f"the 201 body is the stored medication (the fields sent plus an id), got {body}"
    )
    location = created.headers.get("location")
    assert location and urlsplit(location).path == f"/v1/medications/{body['id']}", (
        f"a 201 must say where the new resource lives: Location /v1/medications/{body['id']}, "
        f"got {location!r}"
    )
    assert fetched is not None and fetched.status_code == 200 and fetched.json() == body, (
        "GET on the Location URL must return the created medication"
    )


@pytest.mark.clause("conflict", "problem-type", "problem-fields")
def test_duplicate_ndc_is_a_409_problem(impl: ModuleType) -> None:
    async def scenario() -> httpx.Response:
        async with client_for(impl.create_app(impl.Store())) as client:
            first = await client.post("/v1/medications", json=medication(7))
            assert first.status_code == 201, f"first POST: {first.status_code}"
            return await client.post("/v1/medications", json=medication(7, name="Other"))

    response = run(scenario())
    check_problem(response, 409, "/v1/medications", "POST with an NDC that exists")


@pytest.mark.clause("invalid-body", "problem-errors", "problem-type")
@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"ndc": "12-34"}, "an NDC that does not match the pattern"),
        ({"strength_mg": 0}, "strength_mg must be > 0"),
        ({"form": "gel"}, "form is tablet or capsule"),
        ({"shape": "round"}, "an unknown field (extra='forbid')"),
        ({"name": None}, "a missing name"),
    ],
)
def test_invalid_body_is_a_422_problem(impl: ModuleType, change: dict[str, Any], why: str) -> None:
    body = {k: v for k, v in {**medication(3), **change}.items() if v is not None}

    async def scenario() -> httpx.Response:
        async with client_for(impl.create_app(impl.Store())) as client:
            return await client.post("/v1/medications", json=body)

    problem = check_problem(run(scenario()), 422, "/v1/medications", f"POST with {why}")
    assert isinstance(problem.get("errors"), list) and problem["errors"], (
        f"a 422 problem must list the validation errors in 'errors' (exc.errors()), got "
        f"{problem.get('errors')!r}"
    )


@pytest.mark.clause("unknown-id", "problem-type", "problem-fields")
def test_unknown_resources_are_404_problems(impl: ModuleType) -> None:
    async def scenario() -> list[tuple[str, str, httpx.Response]]:
        store = impl.Store()
        store.add_medication(impl.MedicationIn(**medication(1)))
        async with client_for(impl.create_app(store)) as client:
            out = []
            for method, path in [
                ("GET", "/v1/medications/med_999999"),
                ("DELETE", "/v1/medications/med_999999"),
                ("GET", "/v1/predictions/pred_404"),
                ("GET", "/v1/no-such-resource"),
            ]:
                out.append((method, path, await client.request(method, path)))
            return out

    for method, path, response in run(scenario()):
        check_problem(response, 404, path, f"{method} {path} (an unknown id is a 404, not a 500)")


@pytest.mark.clause("problem-type", "problem-fields")
def test_wrong_method_is_a_405_problem(impl: ModuleType) -> None:
    async def scenario() -> httpx.Response:
        async with client_for(impl.create_app(impl.Store())) as client:
            return await client.put("/v1/medications", json=medication(1))

    check_problem(run(scenario()), 405, "/v1/medications", "PUT on the collection")


@pytest.mark.clause("delete", "unknown-id")
def test_delete_is_204_then_404(impl: ModuleType) -> None:
    store = seed(impl, [medication(1), medication(2)])
    target = store.medications()[0].id

    async def scenario() -> list[httpx.Response]:
        async with client_for(impl.create_app(store)) as client:
            path = f"/v1/medications/{target}"
            return [await client.delete(path), await client.get(path), await client.delete(path)]

    deleted, gone, again = run(scenario())
    assert deleted.status_code == 204 and deleted.content == b"", (
        f"DELETE answers 204 No Content with an empty body, got {deleted.status_code} "
        f"{deleted.content[:100]!r}"
    )
    path = f"/v1/medications/{target}"
    check_problem(gone, 404, path, "GET after DELETE")
    check_problem(again, 404, path, "a second DELETE")
    assert len(store.medications()) == 1, "the medication must be removed from the store"


@pytest.mark.clause("prediction")
def test_prediction_lookup(impl: ModuleType) -> None:
    store = seed(impl, [medication(1)])
    med = store.medications()[0]
    record = store.add_prediction(med.id, 0.93, "efficientnet_b0@v7")

    async def scenario() -> httpx.Response:
        async with client_for(impl.create_app(store)) as client:
            return await client.get(f"/v1/predictions/{record.id}")

    response = run(scenario())
    assert response.status_code == 200, f"GET /v1/predictions/{record.id}: {response.status_code}"
    body = response.json()
    assert {k: body.get(k) for k in ("id", "medication_id", "probability", "model")} == {
        "id": record.id,
        "medication_id": med.id,
        "probability": 0.93,
        "model": "efficientnet_b0@v7",
    }, f"the prediction record as stored, got {body}"
    assert datetime.fromisoformat(body["created_at"]) == record.created_at, (
        f"created_at should be the stored time in ISO 8601 ({record.created_at.isoformat()}), "
        f"got {body['created_at']!r}"
    )


# -- pagination -----------------------------------------------------------------------------------
@pytest.mark.clause("list", "order", "next-cursor", "link", "limit")
def test_pages_are_sorted_complete_and_end_with_a_null_cursor(impl: ModuleType) -> None:
    bodies = [medication(i) for i in range(14)]  # 6 names: many ties broken by id
    store = seed(impl, bodies)
    want = sorted((m.name, m.id) for m in store.medications())

    async def scenario() -> tuple[list[dict], list[httpx.Response]]:
        async with client_for(impl.create_app(store)) as client:
            return await walk(client, "/v1/medications?limit=7")

    items, responses = run(scenario())
    assert [key(i) for i in items] == want, (
        f"walking every page must give each medication once, sorted by (name, id); got "
        f"{[key(i) for i in items]}"
    )
    assert len(responses) == 2, (
        f"14 items with limit=7 are exactly 2 pages: next_cursor must be null on the page that "
        f"holds the last item (fetch limit + 1 rows to know); you served {len(responses)} pages"
    )
    assert "link" not in responses[-1].headers, "the last page has no Link rel=next header"
    default = run(_first_page(impl, store, "/v1/medications"))
    assert len(default["items"]) == 14, f"default limit is 20, got {len(default['items'])} items"


async def _first_page(impl: ModuleType, store: Any, url: str) -> dict:
    async with client_for(impl.create_app(store)) as client:
        return (await client.get(url)).json()


@pytest.mark.clause("after-cursor", "order")
def test_same_name_across_page_boundaries(impl: ModuleType) -> None:
    store = seed(impl, [medication(i, name="Paracetamol") for i in range(9)])

    async def scenario() -> list[dict]:
        async with client_for(impl.create_app(store)) as client:
            return (await walk(client, "/v1/medications?limit=2"))[0]

    items = run(scenario())
    ids = [i["id"] for i in items]
    assert sorted(ids) == sorted(m.id for m in store.medications()) and len(ids) == 9, (
        f"9 medications share the name 'Paracetamol': the cursor must hold (name, id), not the "
        f"name alone, or items are skipped at page boundaries; got {len(ids)} items: {ids}"
    )


@pytest.mark.clause("limit", "filters", "bad-cursor", "problem-type")
@pytest.mark.parametrize(
    ("query", "status", "what"),
    [
        ("limit=0", 422, "limit=0"),
        ("limit=101", 422, "limit above max_limit=100 (reject, do not clamp)"),
        ("form=gel", 422, "an unknown form"),
        ("cursor=bm90IGEgY3Vyc29y", 400, "a cursor the API did not make"),
    ],
)
def test_bad_list_parameters(impl: ModuleType, query: str, status: int, what: str) -> None:
    store = seed(impl, [medication(i) for i in range(3)])

    async def scenario() -> httpx.Response:
        async with client_for(impl.create_app(store)) as client:
            return await client.get(f"/v1/medications?{query}")

    check_problem(run(scenario()), status, "/v1/medications", f"GET /v1/medications?{query}")


@pytest.mark.clause("filters", "link")
def test_filters_apply_before_paging_and_links_keep_them(impl: ModuleType) -> None:
    store = seed(impl, [medication(i) for i in range(40)])
    want = sorted(
        (m.name, m.id) for m in store.medications() if m.form == "tablet" and m.colour == "white"
    )

    async def scenario() -> tuple[list[dict], list[httpx.Response]]:
        async with client_for(impl.create_app(store)) as client:
            return await walk(
                client, "/v1/medications?limit=3&form=tablet&colour=white", follow_link=True
            )

    assert len(want) >= 6, "sanity: the seeded data holds several white tablets"
    items, responses = run(scenario())
    assert [key(i) for i in items] == want, (
        f"following the Link headers with form=tablet&colour=white must list exactly the "
        f"{len(want)} white tablets in order; got {[key(i) for i in items]}. The Link URL keeps "
        "limit and the filters and only adds the cursor"
    )
    sizes = [len(r.json()["items"]) for r in responses]
    assert all(size == 3 for size in sizes[:-1]), (
        f"filter before paging: every page but the last holds limit=3 items, got sizes {sizes}"
    )


@pytest.mark.clause("stable-under-inserts", "after-cursor")
def test_no_duplicates_or_skips_while_items_are_inserted(impl: ModuleType) -> None:
    store = seed(impl, [medication(i) for i in range(40)])
    initial = {m.id for m in store.medications()}
    rng = random.Random(3)
    inserted_late: list[str] = []

    async def scenario() -> list[dict]:
        counter = iter(range(1000, 2000))
        async with client_for(impl.create_app(store)) as client:

            async def insert_some(page_number: int) -> None:
                for name in ("Aaa early", rng.choice(NAMES), "Zzz late"):
                    response = await client.post(
                        "/v1/medications", json=medication(next(counter), name=name)
                    )
                    assert response.status_code == 201, (
                        f"POST /v1/medications should answer 201 Created, got "
                        f"{response.status_code}: {response.text[:300]}"
                    )
                    if name == "Zzz late":
                        inserted_late.append(response.json()["id"])

            return (await walk(client, "/v1/medications?limit=6", between=insert_some))[0]

    items = run(scenario())
    ids = [i["id"] for i in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, (
        f"items were served twice while others were inserted before the current position: "
        f"{duplicates}. Offset pagination does this; a (name, id) cursor does not"
    )
    missing = sorted(initial - set(ids))
    assert not missing, f"items that existed all along were skipped: {missing}"
    keys = [key(i) for i in items]
    assert keys == sorted(keys), "pages must continue the (name, id) order without going back"
    seen_late = [i for i in inserted_late[:-1] if i in ids]  # the last batch came after the end
    assert seen_late == inserted_late[:-1], (
        "items inserted ahead of the cursor ('Zzz late') must show up on a later page"
    )


@pytest.mark.clause("stable-under-inserts")
def test_concurrent_inserts_while_paging(impl: ModuleType) -> None:
    store = seed(impl, [medication(i) for i in range(30)])
    initial = {m.id for m in store.medications()}

    async def scenario() -> list[dict]:
        async with client_for(impl.create_app(store)) as client:

            async def inserter() -> None:
                for i in range(3000, 3040):
                    name = "Aaa" if i % 2 else "Zzz"
                    await client.post("/v1/medications", json=medication(i, name=f"{name} {i}"))
                    await asyncio.sleep(0)

            async def pause(_: int) -> None:
                await asyncio.sleep(0)

            items, _ = (
                await asyncio.gather(
                    walk(client, "/v1/medications?limit=5", between=pause), inserter()
                )
            )[0]
            return items

    items = run(scenario())
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), f"duplicates under concurrent inserts: {ids}"
    assert initial <= set(ids), f"skipped under concurrent inserts: {sorted(initial - set(ids))}"
    assert [key(i) for i in items] == sorted(key(i) for i in items), "order must be kept"


@pytest.mark.clause("cursor-format", "next-cursor")
def test_cursor_is_opaque_json_in_base64(impl: ModuleType) -> None:
    store = seed(impl, [medication(i) for i in range(5)])
    page = run(_first_page(impl, store, "/v1/medications?limit=2"))
    cursor = page["next_cursor"]
    assert isinstance(cursor, str) and re.fullmatch(r"[A-Za-z0-9_-]+", cursor), (
        f"next_cursor must be an opaque URL-safe string, got {cursor!r}"
    )
    last = page["items"][-1]
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert decoded == [last["name"], last["id"]], (
        f"next_cursor encodes the last item's [name, id] = {[last['name'], last['id']]}, "
        f"got {decoded!r}"
    )


# -- differential: your app and the reference answer the same requests alike ----------------------
# Both apps run over stores seeded with the same medications (so the ids are the same). Answers
# are compared after normalising what the spec leaves free: the wording of 'detail', the exact
# 'errors' list of a 422, and the bytes of a cursor (compared by what it decodes to).
def _decoded(cursor: Any) -> Any:
    if not isinstance(cursor, str):
        return cursor
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return f"<not a cursor: {cursor!r}>"


def _link(header: str | None) -> Any:
    if header is None:
        return None
    match = re.fullmatch(r'\s*<([^>]+)>\s*;\s*rel="?next"?\s*', header)
    if not match:
        return f"<malformed Link: {header!r}>"
    parts = urlsplit(match.group(1))
    query = {k: v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    query["cursor"] = [_decoded(c) for c in query.get("cursor", [])]
    return parts.path, query


async def exchange(app: Any, method: str, url: str, **request: Any) -> dict[str, Any]:
    """One request, normalised to what the spec fixes."""
    async with client_for(app) as client:
        response = await client.request(method, url, **request)
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    out: dict[str, Any] = {"status": response.status_code, "media type": media_type or None}
    if not response.content:
        out["body"] = None
        return out
    try:
        body = response.json()
    except ValueError:
        out["body"] = response.text[:200]
        return out
    if response.status_code >= 400 and isinstance(body, dict):
        out["body"] = {k: body.get(k) for k in ("type", "title", "status", "instance")}
        out["detail is a non-empty string"] = isinstance(body.get("detail"), str) and bool(
            body.get("detail")
        )
        out["errors is a non-empty list"] = isinstance(body.get("errors"), list) and bool(
            body.get("errors")
        )
    elif isinstance(body, dict) and "next_cursor" in body:
        out["body"] = {**body, "next_cursor": _decoded(body["next_cursor"])}
        out["link"] = _link(response.headers.get("link"))
    else:
        out["body"] = body
        if response.status_code == 201:
            out["location"] = urlsplit(response.headers.get("location", "")).path
    return out


def same_exchanges(
    impl: ModuleType,
    reference: ModuleType,
    bodies: list[dict[str, Any]],
    requests: list[tuple[str, str, dict[str, Any]]],
    **options: Any,
) -> None:
    """Run ``requests`` in order against both apps (stores seeded with ``bodies``); compare."""

    async def one(module: ModuleType) -> list[dict[str, Any]]:
        app = module.create_app(seed(module, bodies), **options)
        return [await exchange(app, method, url, **kw) for method, url, kw in requests]

    want = run(one(reference))
    got = run(one(impl))
    for (method, url, _), g, w in zip(requests, got, want, strict=True):
        assert g == w, (
            f"{method} {url} (max_limit={options.get('max_limit', 100)}, {len(bodies)} "
            f"medications): the reference answers\n  {w}\nyou answered\n  {g}"
        )


def _walk_requests(first: str, pages: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [("GET", first, {})] * pages


@pytest.mark.clause("cursor-format", "decode")
@given(name=st.text(max_size=12), medication_id=st.text(max_size=12))
@example(name="", medication_id="")
@example(name="Ibuprofen?", medication_id="med_000123")
@example(name="Paracétamol µg \U0001f48a", medication_id="med_1")
def test_cursors_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, medication_id: str
) -> None:
    def compare(got: Any, want: Any) -> str | None:
        if not isinstance(got, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", got):
            return f"a cursor is URL-safe base64 without '=' padding, got {got!r}"
        if _decoded(got) != _decoded(want):
            return f"the cursor should decode to {_decoded(want)!r}, yours to {_decoded(got)!r}"
        return None

    mine = diff.assert_same(
        impl.encode_cursor, reference.encode_cursor, name, medication_id, compare=compare
    )
    assert tuple(impl.decode_cursor(mine)) == (name, medication_id), (
        f"decode_cursor must read a cursor of the reference's encode_cursor{(name, medication_id)}"
    )
    ascii_cursor = base64.urlsafe_b64encode(json.dumps([name, medication_id]).encode())
    got = tuple(impl.decode_cursor(ascii_cursor.decode().rstrip("=")))
    assert got == (name, medication_id), (
        f"decode_cursor should read any cursor of json.dumps([name, id]), also one with "
        f"\\u-escaped characters ({ascii_cursor.decode()!r}): want {(name, medication_id)!r}, "
        f"got {got!r}"
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=5,
)


@pytest.fixture
def decode_started(impl: ModuleType) -> None:
    """Not started while decode_cursor is a stub (assert_same would call that a wrong error)."""
    impl.decode_cursor(_b64(b'["a", "b"]'))


@pytest.mark.clause("decode", "decode-invalid")
@pytest.mark.usefixtures("decode_started")
@given(
    cursor=st.one_of(
        JSON_VALUES.map(lambda v: _b64(json.dumps(v).encode())),
        st.sampled_from(
            [
                "",
                "=",
                "a",
                "abcde",
                "not a cursor!",
                "é",
                _b64(b"\xff\xfe\xfd"),
                _b64(b'["a", "b"'),
                _b64(b'["a", "b", "c"]'),
                _b64(b'["a", 1]'),
                _b64(b'[["a"], "b"]'),
                _b64(b'{"name": "a", "id": "b"}'),
                _b64(b'"ab"'),
                _b64(b"NaN"),
                base64.b64encode(b'["a?>", "b"]').decode(),
            ]
        ),
    )
)
def test_decode_cursor_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, cursor: str
) -> None:
    def compare(got: Any, want: Any) -> str | None:
        return None if tuple(got) == tuple(want) else f"expected {want!r}, got {got!r}"

    diff.assert_same(impl.decode_cursor, reference.decode_cursor, cursor, compare=compare)


CATALOGUE_NAMES = ["Amoxicillin", "amoxicillin", "Zinc", "Ibuprofen", "Ibuprofen ", "Ácido"]


@pytest.mark.clause("list", "order", "filters", "limit", "next-cursor", "after-cursor", "link")
@pytest.mark.clause("max-limit", "problem-type", "problem-fields", "problem-errors")
@settings(max_examples=30)
@given(
    names=st.lists(st.sampled_from(CATALOGUE_NAMES), max_size=9),
    max_limit=st.sampled_from([1, 2, 3, 5, 100]),
    limit=st.one_of(st.none(), st.integers(-1, 7).map(str), st.sampled_from(["abc", "2.5", ""])),
    form=st.sampled_from([None, "tablet", "capsule", "gel", "Tablet"]),
    colour=st.sampled_from([None, "white", "White", "pink", ""]),
)
@example(names=CATALOGUE_NAMES * 2, max_limit=5, limit="3", form="tablet", colour="White")
@example(names=CATALOGUE_NAMES, max_limit=100, limit=None, form="Tablet", colour="white")
@example(names=["Zinc", "amoxicillin", "Amoxicillin"] * 3, max_limit=2, limit="2", form=None,
         colour=None)  # fmt: skip
def test_paging_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    names: list[str],
    max_limit: int,
    limit: str | None,
    form: str | None,
    colour: str | None,
) -> None:
    if limit is None and max_limit < 20:
        limit = str(max_limit)  # the spec does not say what the default is above max_limit
    bodies = [medication(i, name=name) for i, name in enumerate(names, start=1)]
    params = {"limit": limit, "form": form, "colour": colour}
    query = {k: v for k, v in params.items() if v is not None}
    first = str(httpx.URL("/v1/medications", params=query))

    async def pages(module: ModuleType) -> list[dict[str, Any]]:
        app = module.create_app(seed(module, bodies), max_limit=max_limit)
        out, url = [], first
        for _ in range(len(bodies) + 2):
            answer = await exchange(app, "GET", url)
            out.append(answer)
            cursor = (answer.get("body") or {}).get("next_cursor")
            if answer["status"] != 200 or cursor is None:
                break
            url = str(
                httpx.URL(
                    "/v1/medications", params={**query, "cursor": _b64(json.dumps(cursor).encode())}
                )
            )
        return out

    want, got = run(pages(reference)), run(pages(impl))
    for number, (g, w) in enumerate(zip(got, want, strict=False)):
        assert g == w, (
            f"GET {first} with max_limit={max_limit} over {len(bodies)} medications named "
            f"{names}: page {number + 1} should be\n  {w}\nyou answered\n  {g}"
        )
    assert len(got) == len(want), f"expected {len(want)} pages, you served {len(got)}"


HOSTILE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "POST",
        "/v1/medications",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
    ),
    ("POST", "/v1/medications", {"content": b"", "headers": {"content-type": "application/json"}}),
    (
        "POST",
        "/v1/medications",
        {"content": b"[]", "headers": {"content-type": "application/json"}},
    ),
    ("POST", "/v1/medications", {"content": b"ndc=1", "headers": {"content-type": "text/plain"}}),
    ("POST", "/v1/medications", {"json": medication(50, strength_mg="lots")}),
    ("POST", "/v1/medications", {"json": medication(51, name="x" * 101)}),
    ("POST", "/v1/medications", {"json": medication(52, colour="")}),
    ("POST", "/v1/medications", {"json": medication(1)}),
    ("GET", "/v1/medications?limit=1e9", {}),
    ("GET", "/v1/medications?limit=-5", {}),
    ("GET", "/v1/medications?limit=99999999999999999999999", {}),
    ("GET", "/v1/medications?cursor=", {}),
    ("GET", "/v1/medications?cursor=%FF%FE", {}),
    ("GET", "/v1/medications?cursor=" + _b64(b'["Zinc"]'), {}),
    ("GET", "/v1/medications?cursor=" + _b64(b'["Zinc", 3]'), {}),
    ("GET", "/v1/medications/" + "9" * 300, {}),
    ("GET", "/v1/medications/med_000001%00", {}),
    ("DELETE", "/v1/medications", {}),
    ("PATCH", "/v1/medications/med_000001", {"json": {"name": "x"}}),
    ("GET", "/v1/predictions/med_000001", {}),
    ("GET", "/v2/medications", {}),
    ("DELETE", "/v1/medications/med_000002", {}),
    ("GET", "/v1/medications/med_000002", {}),
]


@pytest.mark.clause("invalid-body", "conflict", "limit", "bad-cursor", "unknown-id", "delete")
@pytest.mark.clause("problem-type", "problem-fields", "problem-errors")
def test_hostile_requests_agree_with_the_reference(impl: ModuleType, reference: ModuleType) -> None:
    same_exchanges(impl, reference, [medication(i) for i in range(1, 4)], HOSTILE, max_limit=7)


@pytest.mark.clause("store-default", "independent")
def test_apps_without_a_store_are_empty_and_independent(impl: ModuleType) -> None:
    async def scenario() -> tuple[httpx.Response, dict, dict]:
        first, second = impl.create_app(), impl.create_app()
        async with client_for(first) as client:
            created = await client.post("/v1/medications", json=medication(1))
            mine = (await client.get("/v1/medications")).json()
        async with client_for(second) as client:
            other = (await client.get("/v1/medications")).json()
        return created, mine, other

    created, mine, other = run(scenario())
    assert created.status_code == 201, f"create_app() with no store: POST gave {created.text}"
    assert [i["id"] for i in mine["items"]] == [created.json()["id"]], (
        f"create_app() must serve a new empty Store; its list is {mine}"
    )
    assert other == {"items": [], "next_cursor": None}, (
        f"a second create_app() must get its own empty Store, but it lists {other['items']}"
    )


@pytest.mark.clause("max-limit", "limit")
@pytest.mark.parametrize(
    ("max_limit", "limit", "status"), [(3, 3, 200), (3, 4, 422), (250, 250, 200)]
)
def test_max_limit_is_the_largest_page(
    impl: ModuleType, max_limit: int, limit: int, status: int
) -> None:
    store = seed(impl, [medication(i) for i in range(1, 6)])

    async def scenario() -> httpx.Response:
        async with client_for(impl.create_app(store, max_limit=max_limit)) as client:
            return await client.get(f"/v1/medications?limit={limit}")

    response = run(scenario())
    assert response.status_code == status, (
        f"create_app(max_limit={max_limit}), GET ?limit={limit}: want {status}, got "
        f"{response.status_code} {response.text[:200]}"
    )
