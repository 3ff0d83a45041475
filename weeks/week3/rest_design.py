"""REST design: versioned resources, status codes, cursor pagination and problem details.

The prompt
----------
RxVision25's API grows beyond ``POST /predict``: clients browse the medications the model knows
and look up past predictions. Write :func:`create_app`, a FastAPI app over the in-memory
:class:`Store` (given, a stand-in for PostgreSQL), that a careful API reviewer would approve.

Routes (all under the version prefix ``/v1``)
---------------------------------------------

=====================================  ===================================================
``POST /v1/medications``               body :class:`MedicationIn` -> **201 Created**, the
                                       :class:`Medication` as JSON and a ``Location`` header
                                       ``/v1/medications/<id>``. [#create] **409 Conflict**
                                       when the NDC exists (the store raises
                                       :class:`DuplicateNDC`). [#conflict] **422** when the
                                       body is invalid. [#invalid-body]
``GET /v1/medications``                **200**, a :class:`MedicationPage` (see pagination).
                                       [#list]
``GET /v1/medications/{id}``           **200** and the medication, or **404**. [#get]
``DELETE /v1/medications/{id}``        **204 No Content** (empty body), or **404**. [#delete]
``GET /v1/predictions/{id}``           **200** and the :class:`PredictionRecord`, or **404**.
                                       [#prediction]
=====================================  ===================================================

An unknown id is a 404, never a 500. [#unknown-id] Use ``status_code=201`` on the decorator, set
the headers on an injected ``response: Response``, raise ``HTTPException(404, detail)`` for
misses.

Cursor pagination
-----------------

``GET /v1/medications?limit=20&cursor=...&form=tablet&colour=white``:

- Order: by ``(name, id)`` ascending (``id`` makes the key unique, so the order is total); names
  compare as Python strings (code points: ``"Zinc" < "aspirin"``). [#order]
- Filters: ``form`` (``tablet`` or ``capsule``, anything else is a 422) and ``colour`` (exact
  match); both optional, applied *before* paging. [#filters]
- ``limit``: 1 to ``max_limit`` (default 20); outside that range answer 422 (do not clamp).
  [#limit]
- ``next_cursor``: :func:`encode_cursor` of the last item's ``(name, id)`` when more items follow
  this page, ``null`` on the last page (and only there: fetch one item more than ``limit`` to
  know). [#next-cursor] The next page holds the items whose ``(name, id)`` is strictly greater
  than the cursor's. [#after-cursor] Offset pagination (``?page=3``) is wrong here: an insert
  before the current position shifts every later item, so the client sees duplicates or skips
  items; a cursor does not move. [#stable-under-inserts]
- ``Link`` header when there is a next page: ``<URL>; rel="next"`` where URL is this request's
  URL (same ``limit`` and filters) with ``cursor`` set to ``next_cursor``
  (``request.url.include_query_params(cursor=...)``); no ``Link`` on the last page. [#link]
- A cursor this API did not make (``decode_cursor`` raises ``ValueError``) is a **400**.
  [#bad-cursor]

:func:`encode_cursor` / :func:`decode_cursor`: the cursor is *opaque* to clients: URL-safe base64
(``base64.urlsafe_b64encode``, padding ``=`` stripped) of ``json.dumps([name, id])``.
[#cursor-format] ``decode_cursor`` returns ``(name, id)``, also for a cursor made by another
correct ``encode_cursor`` (with or without ``ensure_ascii``). [#decode] It raises ``ValueError``
for anything else (bad base64, not JSON, not a list of two strings). [#decode-invalid]

Errors: RFC 9457 problem details
--------------------------------

*Every* error response (404, 409, 400, 422, and the 404/405 FastAPI raises for unknown routes and
methods) has the media type ``application/problem+json`` (:data:`PROBLEM_JSON`). [#problem-type]
The body::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "no medication with id 'med_000999'", "instance": "/v1/medications/med_000999"}

``title`` is the standard reason phrase (``http.HTTPStatus(status).phrase``), ``status`` the
HTTP status, ``detail`` a non-empty explanation, ``instance`` the request path. [#problem-fields]
A 422 also carries ``"errors": exc.errors()`` (made JSON-safe with
``fastapi.encoders.jsonable_encoder``). [#problem-errors] Register one exception handler for
``starlette.exceptions.HTTPException`` (FastAPI's own is a subclass, and the router raises the
Starlette one for unknown routes) and one for ``fastapi.exceptions.RequestValidationError``, each
returning ``JSONResponse(..., status_code=..., media_type=PROBLEM_JSON)``.

Example::

    >>> app = create_app(Store())
    >>> # with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
    >>> #   r = await c.post("/v1/medications", json={"ndc": "0093-7146-56", "name": "Amoxicillin",
    >>> #                    "strength_mg": 500, "form": "capsule", "colour": "pink"})
    >>> #   r.status_code, r.headers["location"]  ->  (201, "/v1/medications/med_000001")

Given (do not change): the resource models, :class:`DuplicateNDC` and :class:`Store`.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

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


# -- your part ------------------------------------------------------------------------------------
def encode_cursor(name: str, medication_id: str) -> str:
    """An opaque, URL-safe cursor for the sort key ``(name, id)`` of the last item of a page.

    Returns:
        URL-safe base64 of ``json.dumps([name, medication_id])``, without ``=`` padding.
        [#cursor-format]
    """
    # TODO: base64.urlsafe_b64encode(json.dumps([...]).encode()).decode().rstrip("=")
    raise NotImplementedError("encode_cursor")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The ``(name, id)`` inside a cursor made by :func:`encode_cursor`.

    Raises:
        ValueError: ``cursor`` is not a cursor of this API. [#decode-invalid]
    """
    # TODO: restore the padding, decode, json.loads, check it is a list of two strings
    raise NotImplementedError("decode_cursor")


def create_app(store: Store | None = None, *, max_limit: int = 100) -> FastAPI:
    """The versioned medication API over ``store`` (see the module docstring for the spec).

    Args:
        store: where medications and predictions live; None means a new empty :class:`Store`.
            [#store-default]
        max_limit: the largest page size a client may ask for (422 above). [#max-limit]

    Returns:
        A FastAPI app with the five routes and the problem-details error handlers. Build
        everything inside this function, so that two calls give two independent apps.
        [#independent]
    """
    # TODO: FastAPI(title=...), two exception handlers, five routes
    raise NotImplementedError("create_app: build the versioned API (see the module docstring)")
