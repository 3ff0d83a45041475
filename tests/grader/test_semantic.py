"""grader.semantic: embeddings from the real all-MiniLM-L6-v2 and the calibrated thresholds.

The model is loaded once for the module (a few seconds); every test below shares it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from grader import semantic

ROOT = Path(__file__).resolve().parents[2]

# Reference values from sentence-transformers: SentenceTransformer(<model dir>).encode(texts,
# normalize_embeddings=True), sentence-transformers 6.3.0 / transformers 5.25.0 (the fourth
# text is 234 word pieces: one chunk, near the model's limit).
REFERENCE_TEXTS = [
    "The p99 latency fell from 120 ms to 45 ms after I added dynamic batching.",
    "Pharmacists need calibrated confidence scores, not just top-1 accuracy.",
    "I like to bake bread on Sundays.",
    " ".join(["The model misclassified white round tablets photographed under warm light."] * 18),
]
REFERENCE_HEAD = [  # first four dimensions of each embedding
    [0.005822, -0.055978, -0.000067, 0.033035],
    [-0.000853, -0.045123, -0.031307, -0.030308],
    [0.027555, 0.019899, 0.047185, 0.055558],
    [-0.041317, 0.035239, 0.012144, 0.030739],
]
REFERENCE_COSINES = {(0, 1): 0.105915, (0, 2): 0.030661, (1, 2): -0.048871, (1, 3): 0.183866}

FIELD = [  # about evaluating the pill classifier on field photos
    "I evaluated the pill image classifier on a held-out field split: photos taken by "
    "pharmacists on counters, under glare, at an angle and with clutter in the background. Top-1 "
    "accuracy fell from 96% on studio photos to 71% on field photos.",
    "Most errors came from glare on glossy coatings, which hides the imprint, and from "
    "off-centre crops that cut the pill in half. White round tablets were confused with each "
    "other far more often than coloured capsules.",
    "Glare and perspective augmentation during training, and re-estimating the BatchNorm "
    "statistics on unlabelled field images, brought field accuracy back to 89% without hurting "
    "the studio split. The field split is now part of the promotion gate for every model.",
    "Calibration on field photos was worse than on studio photos: the expected calibration "
    "error rose from 0.03 to 0.09, so confidence thresholds chosen on studio data auto-accepted "
    "too many wrong predictions in the pharmacy.",
]
STREAMING = [  # about an event streaming pipeline
    "Every prediction is published as an event to a Kafka topic with six partitions, keyed by "
    "pharmacy, so that events from one pharmacy keep their order. Consumers in one consumer group "
    "share the partitions between them.",
    "Delivery is at least once: a consumer commits its offset only after writing the event, and "
    "writes are idempotent, keyed by event ID, so a redelivered event is applied once.",
    "An integration test kills a consumer halfway through a batch and checks that after the "
    "rebalance no event is lost and none is applied twice. The replay tool reads a topic from "
    "an offset and rebuilds the audit table.",
    "Retention is seven days on the broker and forever in the object store, where a connector "
    "writes hourly Parquet files partitioned by date for the analysts.",
]


def _load_calibration() -> ModuleType:
    path = ROOT / "benchmarks" / "calibrate_semantic.py"
    spec = importlib.util.spec_from_file_location("calibrate_semantic", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", autouse=True)
def model() -> Iterator[None]:
    semantic.load()
    yield


@pytest.fixture(scope="module")
def calibration() -> ModuleType:
    return _load_calibration()


# ---------------------------------------------------------------------------------- the module


def test_importing_the_module_loads_neither_torch_nor_the_model() -> None:
    code = (
        "import sys, grader.semantic; "
        "print(sorted(m for m in ('torch', 'transformers', 'tokenizers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_model_dir_holds_the_bundled_files() -> None:
    directory = semantic.model_dir()
    assert (directory / "model.safetensors").is_file()
    assert (directory / "tokenizer.json").is_file()


# ------------------------------------------------------------------------------------- embed


def test_embed_gives_float32_unit_rows() -> None:
    vectors = semantic.embed(["a pill", "a tablet", "a capsule"])
    assert vectors.shape == (3, semantic.DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_embed_matches_sentence_transformers() -> None:
    vectors = semantic.embed(REFERENCE_TEXTS)
    np.testing.assert_allclose(vectors[:, :4], REFERENCE_HEAD, atol=2e-5)
    for (i, j), cosine in REFERENCE_COSINES.items():
        assert float(vectors[i] @ vectors[j]) == pytest.approx(cosine, abs=2e-5)


def test_embed_is_deterministic_and_independent_of_batching() -> None:
    first = semantic.embed(REFERENCE_TEXTS)
    assert np.array_equal(first, semantic.embed(REFERENCE_TEXTS))
    alone = np.vstack([semantic.embed([text]) for text in REFERENCE_TEXTS])
    np.testing.assert_allclose(alone, first, atol=1e-5)


def test_embed_of_nothing_is_an_empty_matrix() -> None:
    vectors = semantic.embed([])
    assert vectors.shape == (0, semantic.DIM) and vectors.dtype == np.float32
    assert semantic.near_duplicates([]) == []


@pytest.mark.parametrize("blank", ["", "   ", "\n\t\n"])
def test_blank_text_is_refused_with_its_index(blank: str) -> None:
    with pytest.raises(ValueError, match="text 1 is empty"):
        semantic.embed(["a pill", blank])
    with pytest.raises(ValueError):
        semantic.similarity(blank, "a pill")


def test_a_bare_string_is_refused() -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        semantic.embed("a pill")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- chunking


def test_long_text_is_cut_into_chunks_under_the_limit() -> None:
    encoder = semantic._encoder()
    text = "\n\n".join(FIELD + STREAMING + FIELD)
    chunks = encoder.chunks(text)
    assert encoder._pieces(text) > semantic.MAX_PIECES
    assert len(chunks) >= 2
    assert all(0 < n <= semantic.CHUNK_PIECES for _, n in chunks)
    assert all(encoder._pieces(chunk) == n for chunk, n in chunks)  # counts are the real ones
    assert " ".join(chunk for chunk, _ in chunks).split() == text.split()  # nothing lost


def test_one_sentence_longer_than_the_limit_is_cut_into_windows() -> None:
    encoder = semantic._encoder()
    text = " ".join(f"pill{n} tablet capsule" for n in range(200))  # no sentence end at all
    chunks = encoder.chunks(text)
    assert sum(n for _, n in chunks) == encoder._pieces(text) > 2 * semantic.CHUNK_PIECES
    assert all(n <= semantic.CHUNK_PIECES for _, n in chunks)
    assert " ".join(chunk for chunk, _ in chunks).split() == text.split()
    assert semantic.embed([text]).shape == (1, semantic.DIM)


def test_long_text_embeds_as_a_whole_not_as_its_beginning() -> None:
    field, streaming = "\n\n".join(FIELD), "\n\n".join(STREAMING)
    both = field + "\n\n" + streaming  # over 256 word pieces: the model alone would not read it all
    assert semantic._encoder()._pieces(both) > semantic.MAX_PIECES
    vectors = semantic.embed([both, field, streaming, "Baking sourdough bread at home."])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    to_field, to_streaming, to_bread = vectors[1:] @ vectors[0]
    assert to_field > 0.6 and to_streaming > 0.6  # the end counts as much as the beginning
    assert to_bread < 0.2
    long_field = semantic.embed(["\n\n".join(FIELD * 3)])[0]
    assert len(semantic._encoder().chunks("\n\n".join(FIELD * 3))) >= 2
    assert long_field @ vectors[1] > 0.95  # repeating a text does not change what it is about
    assert long_field @ vectors[1] > long_field @ vectors[2] + 0.3


# ------------------------------------------------------------------ similarity and relevance


def test_similarity_is_a_symmetric_cosine() -> None:
    a, b = FIELD[0], STREAMING[0]
    assert semantic.similarity(a, b) == pytest.approx(semantic.similarity(b, a), abs=1e-6)
    assert semantic.similarity(a, a) == pytest.approx(1.0, abs=1e-5)
    assert semantic.similarity(FIELD[0], FIELD[1]) > semantic.similarity(FIELD[0], STREAMING[1])


def test_clean_prompt_keeps_the_words_of_the_guidance() -> None:
    raw = "## Method\n\n<!--\nHow you measured: warm-up [#warm-up], runs [#runs].\n-->\n"
    assert semantic.clean_prompt(raw) == "Method How you measured: warm-up, runs."


# Two documents whose prompts and answers are short enough to embed in a few seconds.
DOCUMENTS = ["week1/benchmark_report", "week6/failure_plans"]


def test_exemplar_sections_clear_the_relevance_floor_and_other_subjects_do_not(
    calibration: ModuleType,
) -> None:
    prompts = {k: v for k, v in calibration.prompts().items() if k[0] in DOCUMENTS}
    sections, _ = calibration.answers(prompts)
    keys = list(prompts)
    prompt_vectors = semantic.embed([prompts[k] for k in keys])
    answer_vectors = semantic.embed([section.body for section in sections])
    own = [
        float(vector @ prompt_vectors[keys.index((section.document, section.key))])
        for section, vector in zip(sections, answer_vectors, strict=True)
    ]
    assert len(own) == len(keys) >= 8
    assert min(own) >= semantic.RELEVANCE_THRESHOLD + 0.2
    recipe_and_match = calibration.OFF_SUBJECT[:2]
    off = semantic.embed(recipe_and_match) @ prompt_vectors.T
    assert off.max() < semantic.RELEVANCE_THRESHOLD
    section = sections[0]
    prompt = prompts[(section.document, section.key)]
    assert semantic.relevance(section.body, prompt) == pytest.approx(own[0], abs=1e-5)


# ------------------------------------------------------------------------- near duplicates


def test_near_duplicates_are_sorted_by_similarity_then_index() -> None:
    texts = [FIELD[0], STREAMING[0], FIELD[0], FIELD[0], FIELD[1]]
    pairs = semantic.near_duplicates(texts, threshold=0.3)
    assert [(i, j) for i, j, _ in pairs[:3]] == [(0, 2), (0, 3), (2, 3)]  # ties: by (i, j)
    assert all(s == pytest.approx(1.0, abs=1e-5) for _, _, s in pairs[:3])
    sims = [s for _, _, s in pairs]
    assert sims == sorted(sims, reverse=True)
    assert all(i < j for i, j, _ in pairs)
    assert {(0, 4), (2, 4), (3, 4)} <= {(i, j) for i, j, _ in pairs}
    assert not any(1 in (i, j) for i, j, _ in pairs)  # streaming is not a copy of anything


def test_near_duplicate_threshold_is_inclusive() -> None:
    texts = [FIELD[0], FIELD[1]]
    ((_, _, cosine),) = semantic.near_duplicates(texts, threshold=-1.0)
    assert semantic.near_duplicates(texts, threshold=cosine) == [(0, 1, cosine)]
    just_above = float(np.nextafter(np.float32(cosine), np.float32(2)))
    assert semantic.near_duplicates(texts, threshold=just_above) == []


def test_calibrated_threshold_separates_rewordings_from_honest_stories(
    calibration: ModuleType,
) -> None:
    stories = calibration.story_texts()
    assert len(stories) == 8
    copies = {len(stories) + k: n - 1 for k, n in enumerate(calibration.REWORDINGS)}
    texts = stories + list(calibration.REWORDINGS.values())
    every_pair = semantic.near_duplicates(texts, threshold=-1.0)  # one embedding of all 11
    assert len(every_pair) == len(texts) * (len(texts) - 1) // 2
    flagged = {(i, j) for i, j, s in every_pair if s >= semantic.NEAR_DUPLICATE_THRESHOLD}
    assert flagged == {(n, c) for c, n in copies.items()}
    reworded = [s for i, j, s in every_pair if (i, j) in flagged]
    honest = [s for i, j, s in every_pair if j < len(stories)]
    assert min(reworded) >= semantic.NEAR_DUPLICATE_THRESHOLD + 0.1
    assert max(honest) <= semantic.NEAR_DUPLICATE_THRESHOLD - 0.1
