"""Calibrate the thresholds of grader/writing.py on every exemplar section of weeks 1 and 6.

Prints, over the sections of ``solutions/week{1,6}/portfolio/*.md`` with at least
``MIN_FILLER_WORDS`` words of prose: the moving-average type-token ratio, the share of repeated
word 4-grams and the longest run without a function word (min, percentiles, max, and the
extreme sections); every section the filler judge flags and every figure the figure judge flags
(both must be none); the largest increase stated as a percentage; and the same measures on the
gaming attempts, so the margin is visible. Pure Python, a second or two.

    python benchmarks/calibrate_writing.py
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import writing, written  # noqa: E402

EXEMPLARS = sorted(
    path
    for week in ("week1", "week6")
    for path in (ROOT / "solutions" / week / "portfolio").glob("*.md")
)


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    if len(values) < 2:
        return f"n={len(values)} {values}"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"n={len(values)} min={values[0]:.3f} p1={q[0]:.3f} p5={q[4]:.3f} p50={q[49]:.3f} "
        f"p95={q[94]:.3f} p99={q[98]:.3f} max={values[-1]:.3f}"
    )


def main() -> None:
    diversity, repeated, runs, lorem = [], [], [], []
    flagged, figures, increases = [], [], []
    for path in EXEMPLARS:
        document = written.parse(path.read_text(encoding="utf-8"), path)
        for heading, body in document.sections.items():
            where = f"{path.parent.parent.name}/{path.stem} § {heading}"
            words = writing.tokens(body)
            runs.append((len(writing.keyword_run(words)), where))
            lorem.append((len(writing.lorem_words(words)), where))
            if len(words) >= writing.MIN_FILLER_WORDS:
                diversity.append((writing.mattr(words), where))
                repeated.append((writing.repeated_share(words)[0], where))
            flagged += [f"{where}: {p}" for p in writing.filler_problems(body)]
        filler, impossible = writing.document_problems(document)
        figures += [f"{path.stem}: {p}" for p in impossible]
        for match in re.finditer(r"(\+?)(\d[\d,]*(?:\.\d+)?)\s?%", written.prose(document.text)):
            value = float(match.group(2).replace(",", ""))
            if value > 100:
                increases.append((value, f"{path.stem}: {match.group(0)}"))
    print(f"{len(EXEMPLARS)} exemplars")
    print("MATTR (window", writing.WINDOW, "):", _percentiles([v for v, _ in diversity]))
    print("  lowest:", sorted(diversity)[:3])
    print(f"repeated {writing.NGRAM}-gram share:", _percentiles([v for v, _ in repeated]))
    print("  highest:", sorted(repeated)[-3:])
    print("longest run without a function word:", _percentiles([float(v) for v, _ in runs]))
    print("  longest:", sorted(runs)[-3:])
    print("lorem ipsum words: max", max(v for v, _ in lorem))
    print("percentages above 100 in the exemplars:", sorted(increases)[-5:])
    print(
        f"thresholds: MIN_MATTR={writing.MIN_MATTR} MAX_REPEATED_SHARE="
        f"{writing.MAX_REPEATED_SHARE} KEYWORD_RUN={writing.KEYWORD_RUN} "
        f"MAX_LOREM={writing.MAX_LOREM} MAX_INCREASE_PERCENT={writing.MAX_INCREASE_PERCENT}"
    )
    print(f"exemplar sections flagged as filler: {len(flagged)}")
    for line in flagged:
        print("  ", line)
    print(f"exemplar figures flagged as impossible: {len(figures)}")
    for line in figures:
        print("  ", line)
    gaming = {
        "one word x600 + keywords": " ".join(["scaling"] * 600)
        + " compound scaling alpha beta gamma phi depthwise squeeze excitation residual",
        "a paragraph pasted 4 times": (
            "The model was trained on the studio split and evaluated on the field split, where "
            "glare and blur cost it most of its accuracy. "
        )
        * 4,
    }
    for name, text in gaming.items():
        words = writing.tokens(text)
        print(
            f"gaming {name}: MATTR={writing.mattr(words):.3f} "
            f"repeated={writing.repeated_share(words)[0]:.3f} run={len(writing.keyword_run(words))}"
        )


if __name__ == "__main__":
    main()
