"""Reference solution of ``week3.rest_design``: versioned resources, cursor pages, problem details.

The given part (the resource models and the in-memory :class:`Store`) is the same as in the stub.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import threading
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Literal

from fastapi import FastAPI, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

__all__ = [
    "PROBLEM_JSON",
    "DuplicateNDC",
    "Medication",
    "MedicationIn",
    "MedicationPage",
    "PredictionRecord",
    "Store",
    "create_app",
    "decode_cursor",
    "encode_cursor",
]

PROBLEM_JSON = "application/problem+json"


# -- given: resources and storage -----------------------------------------------------------------
class MedicationIn(BaseModel):
    """What a client sends to create a medication."""

    model_config = ConfigDict(extra="forbid")

    ndc: str = Field(
        pattern=r"^\d{4,5}-\d{3,4}-\d{1,2}$",
        description="National Drug Code, unique per medication.",
        examples=["0093-7146-56"],
    )
    name: str = Field(min_length=1, max_length=100, examples=["Amoxicillin"])
    strength_mg: float = Field(gt=0, examples=[500])
    form: Literal["tablet", "capsule"] = Field(examples=["capsule"])
    colour: str = Field(min_length=1, max_length=30, examples=["pink"])


class Medication(MedicationIn):
    """A stored medication: what the client sent plus the server-assigned ``id``."""

    id: str = Field(examples=["med_000042"])


class MedicationPage(BaseModel):
    """One page of ``GET /v1/medications``."""

    items: list[Medication]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= to get the next page; null on the last page."
    )


class PredictionRecord(BaseModel):
    """A prediction the service made (kept for audits and for clients that poll)."""

    id: str = Field(examples=["pred_000007"])
    medication_id: str
    probability: float = Field(ge=0, le=1)
    model: str
    created_at: datetime


class DuplicateNDC(Exception):
    """A medication with this NDC already exists; ``existing_id`` is its id."""

    def __init__(self, ndc: str, existing_id: str) -> None:
        super().__init__(f"a medication with NDC {ndc} already exists: {existing_id}")
        self.ndc = ndc
        self.existing_id = existing_id


class Store:
    """A thread-safe in-memory store (a stand-in for PostgreSQL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._medications: dict[str, Medication] = {}
        self._by_ndc: dict[str, str] = {}
        self._predictions: dict[str, PredictionRecord] = {}
        self._ids = itertools.count(1)

    def add_medication(self, data: MedicationIn) -> Medication:
        """Store a new medication with a fresh id; :class:`DuplicateNDC` if the NDC exists."""
        with self._lock:
            if data.ndc in self._by_ndc:
                raise DuplicateNDC(data.ndc, self._by_ndc[data.ndc])
            medication = Medication(id=f"med_{next(self._ids):06d}", **data.model_dump())
            self._medications[medication.id] = medication
            self._by_ndc[medication.ndc] = medication.id
            return medication

    def get_medication(self, medication_id: str) -> Medication | None:
        """The medication with this id, or None."""
        return self._medications.get(medication_id)

    def delete_medication(self, medication_id: str) -> bool:
        """Remove a medication; False if there was none with this id."""
        with self._lock:
            medication = self._medications.pop(medication_id, None)
            if medication is None:
                return False
            del self._by_ndc[medication.ndc]
            return True

    def medications(self) -> list[Medication]:
        """A snapshot of every medication, in no particular order."""
        with self._lock:
            return list(self._medications.values())

    def add_prediction(
        self, medication_id: str, probability: float, model: str
    ) -> PredictionRecord:
        """Record a prediction (the tests seed predictions with this)."""
        with self._lock:
            record = PredictionRecord(
                id=f"pred_{next(self._ids):06d}",
                medication_id=medication_id,
                probability=probability,
                model=model,
                created_at=datetime.now(UTC),
            )
            self._predictions[record.id] = record
            return record

    def get_prediction(self, prediction_id: str) -> PredictionRecord | None:
        """The prediction with this id, or None."""
        return self._predictions.get(prediction_id)


# -- the exercise ---------------------------------------------------------------------------------
def encode_cursor(name: str, medication_id: str) -> str:
    """An opaque, URL-safe cursor for the sort key ``(name, id)`` of the last item of a page."""
    raw = json.dumps([name, medication_id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The ``(name, id)`` inside a cursor; ``ValueError`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid cursor {cursor!r}") from exc
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise ValueError(f"invalid cursor {cursor!r}")
    return value[0], value[1]


def _problem(request: Request, status: int, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(jsonable_encoder(body), status_code=status, media_type=PROBLEM_JSON)


def _visible(store: Store, form: str | None, colour: str | None) -> list[Medication]:
    """The medications passing the filters, sorted by the unique key ``(name, id)``."""
    rows = [
        m
        for m in store.medications()
        if (form is None or m.form == form) and (colour is None or m.colour == colour)
    ]
    return sorted(rows, key=lambda m: (m.name, m.id))


def _paginate(
    rows: list[Medication], cursor: str | None, limit: int
) -> tuple[list[Medication], str | None]:
    """The page after ``cursor`` and the cursor of the next page (None on the last page)."""
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except ValueError as exc:
            raise HTTPException(400, f"{exc}: use a next_cursor this API returned") from exc
        rows = [m for m in rows if (m.name, m.id) > after]
    page = rows[:limit]
    more = len(rows) > limit  # one item beyond the page tells whether a next page exists
    return page, encode_cursor(page[-1].name, page[-1].id) if more else None


def _next_link(request: Request, next_cursor: str) -> str:
    """This request's URL (same limit and filters) pointing at the next page."""
    return str(request.url.include_query_params(cursor=next_cursor))


def create_app(store: Store | None = None, *, max_limit: int = 100) -> FastAPI:
    """The versioned medication API over ``store`` (a new empty one when None)."""
    store = store if store is not None else Store()
    app = FastAPI(
        title="RxVision25 resources",
        description="Medications and predictions, with cursor pagination and RFC 9457 errors.",
        version="1",
    )

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code)
        response = _problem(request, exc.status_code, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, exc: RequestValidationError) -> Response:
        return _problem(request, 422, "the request is not valid", errors=exc.errors())

    @app.post(
        "/v1/medications",
        status_code=201,
        response_model=Medication,
        summary="Create a medication",
        responses={409: {"description": "A medication with this NDC exists"}},
    )
    async def create_medication(body: MedicationIn, response: Response) -> Medication:
        try:
            medication = store.add_medication(body)
        except DuplicateNDC as exc:
            raise HTTPException(409, str(exc)) from exc
        response.headers["Location"] = f"/v1/medications/{medication.id}"
        return medication

    @app.get(
        "/v1/medications",
        response_model=MedicationPage,
        summary="List medications, sorted by name, one page at a time",
    )
    async def list_medications(
        request: Request,
        response: Response,
        limit: int = Query(20, ge=1, le=max_limit),  # noqa: B008 - FastAPI's idiom
        cursor: str | None = None,
        form: Literal["tablet", "capsule"] | None = None,
        colour: str | None = None,
    ) -> MedicationPage:
        rows = _visible(store, form, colour)
        page, next_cursor = _paginate(rows, cursor, limit)
        if next_cursor is not None:
            response.headers["Link"] = f'<{_next_link(request, next_cursor)}>; rel="next"'
        return MedicationPage(items=page, next_cursor=next_cursor)

    @app.get(
        "/v1/medications/{medication_id}",
        response_model=Medication,
        summary="One medication",
    )
    async def get_medication(medication_id: str) -> Medication:
        medication = store.get_medication(medication_id)
        if medication is None:
            raise HTTPException(404, f"no medication with id {medication_id!r}")
        return medication

    @app.delete("/v1/medications/{medication_id}", status_code=204, summary="Delete one")
    async def delete_medication(medication_id: str) -> Response:
        if not store.delete_medication(medication_id):
            raise HTTPException(404, f"no medication with id {medication_id!r}")
        return Response(status_code=204)

    @app.get(
        "/v1/predictions/{prediction_id}",
        response_model=PredictionRecord,
        summary="One past prediction",
    )
    async def get_prediction(prediction_id: str) -> PredictionRecord:
        record = store.get_prediction(prediction_id)
        if record is None:
            raise HTTPException(404, f"no prediction with id {prediction_id!r}")
        return record

    return app
