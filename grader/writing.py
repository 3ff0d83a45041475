"""Writing that reads as writing: filler and impossible figures in written deliverables.

Two judges, both plain Python (no model, a few milliseconds a document), shared by every written
deliverable through :class:`WritingTests`:

- :func:`filler_problems` reads one section: text padded to a word count or stuffed with the
  keywords a grader looks for. Four signs, each measured on the prose of the section (comments,
  code blocks, tables and headings left out, see :func:`grader.written.prose`):

  * low lexical diversity: the moving-average type-token ratio (:func:`mattr`, the share of
    different words in every window of :data:`WINDOW` words, averaged) so that a long section is
    not penalised for reusing "the" and "model" as a short one would be;
  * repeated word n-grams: the share of the section's word :data:`NGRAM`-grams that repeat one
    seen earlier in the section (:func:`repeated_share`), a paragraph pasted twice or one phrase
    over and over;
  * lorem ipsum (:data:`LOREM`) and other non-English runs;
  * strings of keywords without the small words of sentences: the longest run of words with no
    :data:`grader.written.FUNCTION_WORDS` (:func:`keyword_run`); the share of function words over
    a whole section is :func:`grader.written.function_word_share` / ``prose_problem``.

- :func:`figure_problems` reads a whole document (or any text): figures that cannot be true.
  A proportion (accuracy, precision, recall, coverage, utilisation, hit rate, share, F1, AUC ...)
  above 100 %, or above 1.0 written as a fraction; a fall of more than 100 %; an increase beyond
  :data:`MAX_INCREASE_PERCENT`; a negative latency, duration, size or cost; percentiles out of
  order (p50 <= p90 <= p95 <= p99) in one sentence or one table row.
  :func:`grader.star.implausible` is this function.

The thresholds were calibrated on every exemplar section of weeks 1 and 6
(``benchmarks/calibrate_writing.py`` prints the figures quoted beside each constant): no exemplar
section is flagged, and the gaming attempts of ``tests/grader/test_gaming_filler.py`` all are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import pytest

from grader import estimates, written

__all__ = [
    "KEYWORD_RUN",
    "LOREM",
    "MAX_INCREASE_PERCENT",
    "MAX_LOREM",
    "MIN_FILLER_WORDS",
    "MIN_MATTR",
    "MAX_REPEATED_SHARE",
    "NGRAM",
    "WINDOW",
    "FIGURE_RULES",
    "WritingTests",
    "document_problems",
    "figure_problems",
    "filler_problems",
    "implausible",
    "keyword_run",
    "lorem_words",
    "mattr",
    "repeated_share",
    "tokens",
]

# =============================================================================================
# Filler
# =============================================================================================
#: Window of the moving-average type-token ratio, in words.
WINDOW = 50
#: Word n-grams whose repetition is counted by :func:`repeated_share`.
NGRAM = 4
#: Sections with fewer prose words than this are not judged for diversity or repetition (a
#: two-line answer has nothing to measure); keyword runs and lorem ipsum are judged anyway.
MIN_FILLER_WORDS = 30
#: Lowest moving-average type-token ratio of prose. Exemplar sections (weeks 1 and 6, the 124 of
#: 30+ words): min 0.707, 1st percentile 0.707, 5th 0.762, median 0.837, max 0.935; one word
#: repeated 600 times with the keywords: 0.022; a two-sentence paragraph pasted four times: 0.380.
MIN_MATTR = 0.55
#: Highest share of repeated word 4-grams. Exemplar sections: max 0.081 (a design naming the same
#: components in several paragraphs), 99th percentile 0.028, 95th 0.014, median 0.0; a paragraph
#: pasted twice: about 0.5, four times 0.742; one word repeated 600 times: 0.982.
MAX_REPEATED_SHARE = 0.3
#: Longest run of words without a function word ("the", "of", "is" ...). Exemplar sections (all
#: 135): max 19 (component lists in the designs), 99th percentile 19, 95th 17, median 7; one word
#: repeated with the keywords: 610. A shorter keyword list is ``written.prose_problem``'s to find.
KEYWORD_RUN = 30
#: Words of lorem ipsum that are not English words (so "et al.", "in", "id", "ad hoc", "magna"
#: or "non" never count).
LOREM = frozenset(
    """lorem ipsum dolor amet consectetur consectetuer adipiscing adipisicing elit eiusmod tempor
    incididunt labore dolore aliqua veniam nostrud exercitation ullamco laboris nisi aliquip
    commodo consequat duis aute irure reprehenderit voluptate velit esse cillum fugiat nulla
    pariatur excepteur sint occaecat cupidatat proident sunt culpa officia deserunt mollit anim
    laborum vestibulum pellentesque nunc mauris quisque aenean vivamus phasellus maecenas
    curabitur donec nullam morbi praesent suspendisse""".split()  # noqa: SIM905
)
#: Lorem ipsum words in one section that make it placeholder text. Exemplar sections: 0.
MAX_LOREM = 4

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_URL = re.compile(r"https?://\S+|\]\([^)]*\)")
_HEADING_LINE = re.compile(r"^\s*#.*$", re.MULTILINE)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def _prose(text: str) -> str:
    """What a reader reads as sentences: no comments, code, tables, headings, URLs, nor the
    ``name = value`` lines that state estimates (the designs' other form of a table)."""
    text = written.prose(text)
    text = "\n".join(" " if estimates.is_estimate_line(line) else line for line in text.split("\n"))
    text = _HEADING_LINE.sub(" ", text)
    text = _URL.sub(" ", text)
    return _INLINE_CODE.sub(" ", text)


def tokens(text: str) -> list[str]:
    """The words of the prose of ``text``, lower case (numbers count as words)."""
    return _TOKEN.findall(_prose(text).lower())


def mattr(words: list[str], window: int = WINDOW) -> float:
    """Moving-average type-token ratio: the mean share of distinct words over every window of
    ``window`` consecutive words (the plain type-token ratio when there are fewer words)."""
    if not words:
        return 1.0
    if len(words) <= window:
        return len(set(words)) / len(words)
    counts: dict[str, int] = {}
    for word in words[:window]:
        counts[word] = counts.get(word, 0) + 1
    total = distinct = len(counts)
    for i in range(window, len(words)):
        out, new = words[i - window], words[i]
        counts[out] -= 1
        if not counts[out]:
            del counts[out]
        counts[new] = counts.get(new, 0) + 1
        distinct = len(counts)
        total += distinct
    return total / (len(words) - window + 1) / window


def repeated_share(words: list[str], n: int = NGRAM) -> tuple[float, tuple[str, ...] | None]:
    """(share of word ``n``-grams that repeat an earlier one, the most repeated ``n``-gram)."""
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return 0.0, None
    seen: dict[tuple[str, ...], int] = {}
    for gram in grams:
        seen[gram] = seen.get(gram, 0) + 1
    repeats = sum(count - 1 for count in seen.values())
    top = max(seen, key=seen.__getitem__)
    return repeats / len(grams), (top if seen[top] > 1 else None)


def keyword_run(words: list[str]) -> list[str]:
    """The longest run of consecutive words none of which is a function word."""
    best: list[str] = []
    start = 0
    for i, word in enumerate([*words, "the"]):
        if word in written.FUNCTION_WORDS or word.strip("'’") in written.FUNCTION_WORDS:
            if i - start > len(best):
                best = words[start:i]
            start = i + 1
    return best


def lorem_words(words: list[str]) -> list[str]:
    """The words of ``words`` that are lorem ipsum (:data:`LOREM`)."""
    return [word for word in words if word in LOREM]


def _quote(words: Iterable[str], limit: int = 8) -> str:
    words = list(words)
    return "'" + " ".join(words[:limit]) + (" ..." if len(words) > limit else "") + "'"


def filler_problems(text: str) -> list[str]:
    """Why one section of prose reads as filler (empty: it reads as writing).

    Each message says what was measured and why it is filler; the caller names the section.
    """
    words = tokens(text)
    found: list[str] = []
    lorem = lorem_words(words)
    if len(lorem) > MAX_LOREM:
        found.append(
            f"it is placeholder text ({_quote(lorem, 5)}: {len(lorem)} words of lorem ipsum); "
            "write your own sentences"
        )
    run = keyword_run(words)
    if len(run) >= KEYWORD_RUN:
        found.append(
            f"{len(run)} words in a row without a single 'the', 'of', 'is' or 'to' "
            f"({_quote(run)}): that is a string of keywords, not sentences"
        )
    if len(words) >= MIN_FILLER_WORDS:
        diversity = mattr(words)
        if diversity < MIN_MATTR:
            common = max(set(words), key=words.count)
            found.append(
                f"it repeats the same few words (only {diversity:.0%} different words in each "
                f"stretch of {WINDOW}, prose has {MIN_MATTR:.0%} or more; "
                f"'{common}' alone is {words.count(common)} of its {len(words)} words)"
            )
        share, top = repeated_share(words)
        if share > MAX_REPEATED_SHARE and top is not None:
            found.append(
                f"{share:.0%} of its {NGRAM}-word phrases repeat earlier ones (e.g. "
                f"{_quote(top)}); say each thing once"
            )
    return found


# =============================================================================================
# Impossible figures
# =============================================================================================
#: Percentages above this (100x) are not a measured change but a typo or a game ("+1000000 %").
#: The exemplars of weeks 1 and 6 state no percentage above 100 at all: their large changes are
#: ratios, up to 100x for traffic growth (and one 10,000x cost ratio, written as a ratio); an
#: honest "improved by 250%" or "+900% throughput" is far below the bound. Changes past 100x are
#: to be written with both values ("from 2 to 900 images/s"), which this rule leaves alone.
MAX_INCREASE_PERCENT = 10_000.0
#: The rules of :func:`figure_problems`, which a caller may skip by name.
FIGURE_RULES = ("proportion", "fall", "increase", "negative", "percentiles", "tables")

#: Metrics that are proportions: as a percentage they cannot exceed 100, as a fraction 1.0.
_BOUNDED = re.compile(
    r"\b(?:accuracy|accurate|precision|recall|f1(?:[- ]score)?|top-?[1-9]|auc|roc[- ]auc|"
    r"availability|uptime|agreement|coverage|hit[ -]rate|success[ -]rate|pass[ -]rate|"
    r"specificity|sensitivity|proportion|fraction|utili[sz]ation|share)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(?<![\w.])([-+−–]?)\s?(\d[\d,]*(?:\.\d+)?)\s?(?:%|percent\b)", re.I)
#: A fall, just before the percentage ("fell by 150%", "cut latency by 200%").
_FALL_BEFORE = re.compile(
    r"\b(?:fell|falls?|dropped|drops?|decreased?|decreases|reduced|reduces?|cut|cuts|down|"
    r"lowered|lowers?|shrank|shrunk|shrinks?|declined?|declines)\b(?:\s+\S+){0,3}?\s*(?:by\s*)?$",
    re.IGNORECASE,
)
#: A fall, just after the percentage ("200% less memory", "a 150% reduction").
_FALL_AFTER = re.compile(
    r"^\s*(?:less|fewer|lower|smaller|shorter|cheaper|reduction|decrease|drop|cut|decline)\b",
    re.IGNORECASE,
)
#: A relative change, which a proportion can show above 100% ("recall improved by 150%").
_RELATIVE_BEFORE = re.compile(r"(?:\bby|\+)\s*$", re.IGNORECASE)
_RELATIVE_AFTER = re.compile(
    r"^\s*(?:more|higher|better|increase|improvement|gain|relative|faster|up)\b", re.IGNORECASE
)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s|\.(?=\s|$)|\b(?:and|while|but|whereas)\b", re.IGNORECASE)
#: A proportion stated as a fraction above 1 ("AUC = 1.2", "precision of 1.05").
_FRACTION = re.compile(
    rf"(?P<metric>{_BOUNDED.pattern})\s*(?:=|:|≈|is|was|of|at|reached|to)\s*"
    r"(?P<value>\d+\.\d+)(?!\d|\s*(?:%|percent|pp|points?|x\b|×|times))",
    re.IGNORECASE,
)
_NEG = r"[-−–]"
_QTY_UNIT = (
    r"(?:ms|milliseconds?|µs|us|microseconds?|ns|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|"
    r"days?|weeks?|[kKMGT]i?B|bytes?|GB|MB|KB)\b"
)
#: A level (not a change) of a latency, duration, size or cost, negative.
_NEGATIVE = re.compile(
    r"\b(?P<what>latenc(?:y|ies)|p\d{2}(?:\.\d+)?|median|duration|time|runtime|wall[- ]clock|"
    r"size|memory|footprint|cost|costs|price|bill|spend)\b[^\n.;,]{0,20}?"
    r"(?:=|:|≈|\bis|\bwas|\bwere|\bare|\bof|\bat|\bto|\breached|\bmeasured)\s*"
    rf"(?P<value>{_NEG}\s?(?:[$€£]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?{_QTY_UNIT}))",
    re.IGNORECASE,
)
#: A negative amount of money anywhere ("-$40 per month" is a saving only when said so).
_NEGATIVE_MONEY = re.compile(rf"(?<![\w)])(?:{_NEG}\s?[$€£]|[$€£]\s?{_NEG})\s?\d")
_PERCENTILE = re.compile(
    r"\b(?:p(?P<p>50|75|90|95|99(?:\.9+)?)|(?P<median>median))\b(?:\s+latency)?\s*"
    r"(?:=|:|≈|~|\bof|\bis|\bwas|\bat|\bunder|\bbelow|<|≤)?\s*"
    r"(?P<value>\d[\d,]*(?:\.\d+)?)\s?(?P<unit>ms|milliseconds?|µs|us|s|seconds?)\b",
    re.IGNORECASE,
)
_PERCENTILE_LIST = re.compile(
    r"\b(?P<names>(?:p\d{2}(?:\.\d+)?|median)(?:\s*/\s*(?:p\d{2}(?:\.\d+)?))+)\b(?:\s+latency)?"
    r"\s*(?:=|:|≈|~|\bof|\bis|\bwas|\bat)?\s*"
    r"(?P<values>\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d[\d,]*(?:\.\d+)?)+)\s?"
    r"(?P<unit>ms|milliseconds?|µs|us|s|seconds?)\b",
    re.IGNORECASE,
)
#: The value first: "38 ms p50 and 95 ms p99".
_PERCENTILE_AFTER = re.compile(
    r"(?<![\w.])(?P<value>\d[\d,]*(?:\.\d+)?)\s?(?P<unit>ms|milliseconds?|µs|us|s|seconds?)\s+"
    r"(?:at\s+(?:the\s+)?)?(?:p(?P<p>50|75|90|95|99(?:\.9+)?)|(?P<median>median))\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n\s*\n|\n\s*(?:[-*+]|\d+[.)])\s+")
_CELL_NUMBER = re.compile(r"^[~≈<>]?\s*([-−–+]?)\s*[$€£]?\s*(\d[\d,]*(?:\.\d+)?)\s*(%?)")
_CHANGE_HEADER = re.compile(
    r"δ|Δ|delta|change|diff|gain|saving|saved|vs\b|versus|improvement|reduction|relative|"
    r"speed-?up|ratio|\bx\b",
    re.IGNORECASE,
)
_LEVEL_HEADER = re.compile(
    r"latenc|\bp\d{2}\b|median|duration|time|size|memory|footprint|cost|price|\bms\b|\(s\)|"
    r"\bmb\b|\bgb\b|\$",
    re.IGNORECASE,
)
_UNIT_MS = {"ms": 1.0, "millisecond": 1.0, "milliseconds": 1.0, "µs": 1e-3, "us": 1e-3}


def _ms(value: str, unit: str) -> float:
    unit = unit.lower()
    return float(value.replace(",", "")) * _UNIT_MS.get(unit, 1000.0)


def _rank(name: str) -> float:
    return 50.0 if name.lower() == "median" else float(name.lower().lstrip("p"))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


_FROM_TO = re.compile(
    r"\bfrom\s+[~≈]?\s*(\d[\d,]*(?:\.\d+)?)\b[^.;]{0,40}?\bto\s+[~≈]?\s*(\d[\d,]*(?:\.\d+)?)",
    re.IGNORECASE,
)


def _supported_increase(text: str, percent: float) -> bool:
    """The text also states both values ('from 40 to 4,500 images/s') and they give this
    percentage (within 5 %): a real, if large, measured change."""
    for match in _FROM_TO.finditer(text):
        start, end = (float(g.replace(",", "")) for g in match.groups())
        if start > 0 and abs((end / start - 1) * 100 - percent) <= 0.05 * percent:
            return True
    return False


def _percent_problems(text: str, skip: frozenset[str]) -> list[str]:
    found: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        bounded = _BOUNDED.search(clause)
        for match in _PERCENT.finditer(clause):
            value = float(match.group(2).replace(",", ""))
            if value <= 100:
                continue
            figure = match.group(0).strip()
            before, after = clause[: match.start()], clause[match.end() :]
            negative = match.group(1) in ("-", "−", "–")
            if negative or _FALL_BEFORE.search(before) or _FALL_AFTER.match(after):
                if "fall" not in skip:
                    kind = "" if negative else " of decrease"
                    found.append(f"{figure!r}{kind}: nothing can fall by more than 100%")
            elif value > MAX_INCREASE_PERCENT:
                if "increase" not in skip and not _supported_increase(text, value):
                    found.append(
                        f"{figure!r}: an increase of more than {MAX_INCREASE_PERCENT:,.0f}% "
                        "(100x) is not a measurement; give both values ('from 2 to 900 images/s')"
                    )
            elif (
                bounded
                and "proportion" not in skip
                and match.group(1) != "+"
                and not _RELATIVE_BEFORE.search(before)
                and not _RELATIVE_AFTER.match(after)
            ):
                found.append(f"{figure!r} of {bounded.group(0)}: a proportion is at most 100%")
    return found


def _sentence_percentiles(sentence: str) -> list[tuple[float, str, float]]:
    """(percentile, name, value in ms) stated in one sentence."""
    found: list[tuple[float, str, float]] = []
    for match in _PERCENTILE_LIST.finditer(sentence):
        names = re.split(r"\s*/\s*", match["names"])
        values = re.split(r"\s*/\s*", match["values"])
        if len(names) == len(values):
            found += [
                (_rank(n), n, _ms(v, match["unit"])) for n, v in zip(names, values, strict=True)
            ]
    sentence = _PERCENTILE_LIST.sub(" ", sentence)
    for match in _PERCENTILE.finditer(sentence):
        name = match["median"] or f"p{match['p']}"
        found.append((_rank(name), name, _ms(match["value"], match["unit"])))
    sentence = _PERCENTILE.sub(" ", sentence)
    for match in _PERCENTILE_AFTER.finditer(sentence):
        name = match["median"] or f"p{match['p']}"
        found.append((_rank(name), name, _ms(match["value"], match["unit"])))
    return found


def _disorder(stated: list[tuple[float, str, float]]) -> tuple[str, str] | None:
    """The first pair of percentiles where the higher one has the lower value."""
    for rank_a, name_a, value_a in stated:
        for rank_b, name_b, value_b in stated:
            if rank_a < rank_b and value_a > value_b:
                return f"{name_a} {value_a:g} ms", f"{name_b} {value_b:g} ms"
    return None


def _table_problems(text: str, skip: frozenset[str]) -> list[str]:
    found: list[str] = []
    for header, rows in written.tables(text):
        for row in rows:
            label = row[0] if row else ""
            ranked: list[tuple[float, str, float]] = []
            for name, cell in zip(header, row, strict=False):
                number = _CELL_NUMBER.match(cell.replace("**", ""))
                if not number:
                    continue
                sign, value = number.group(1), float(number.group(2).replace(",", ""))
                change = bool(_CHANGE_HEADER.search(name)) or sign == "+"
                where = f"table row {_short(label, 40)!r}, column {name!r}"
                percent = number.group(3) == "%" or "%" in name or "percent" in name.lower()
                if (
                    "proportion" not in skip
                    and _BOUNDED.search(name)
                    and not change
                    and not sign
                    and value > 100
                    and (percent or value > 100)
                ):
                    found.append(f"{where}: {cell!r} of a proportion; it is at most 100%")
                if (
                    "negative" not in skip
                    and sign in ("-", "−", "–")
                    and not change
                    and not percent
                    and _LEVEL_HEADER.search(name)
                ):
                    found.append(
                        f"{where}: {cell!r} is negative; a latency, time, size or cost cannot be"
                    )
                pct = re.search(r"\bp(50|75|90|95|99(?:\.9+)?)\b|\bmedian\b", name, re.I)
                if pct and not change and not sign:
                    ranked.append((_rank(pct.group(0)), pct.group(0), value))
            if pair := _disorder_plain(ranked):
                found.append(
                    f"table row {_short(label, 40)!r}: {pair[0]} but {pair[1]}; a higher "
                    "percentile is never below a lower one of the same runs"
                )
    return found


def _disorder_plain(stated: list[tuple[float, str, float]]) -> tuple[str, str] | None:
    for rank_a, name_a, value_a in stated:
        for rank_b, name_b, value_b in stated:
            if rank_a < rank_b and value_a > value_b:
                return f"{name_a} {value_a:g}", f"{name_b} {value_b:g}"
    return None


def figure_problems(text: str, *, skip: Iterable[str] = ()) -> list[str]:
    """Figures in ``text`` that cannot be true, each quoted with the reason (empty: all possible).

    Rules (names in :data:`FIGURE_RULES`; ``skip`` leaves some out), applied clause by clause
    (clauses end at ``,``, ``;``, a full stop, "and", "while", "but") or sentence by sentence:

    - ``fall``: a fall of more than 100%: a negative percentage below -100 ("latency -300%"), or
      a percentage above 100 right after a verb of decrease ("fell by 150%", "cut costs by
      200%") or right before a word of decrease ("200% less memory", "a 150% reduction");
    - ``increase``: any other percentage above :data:`MAX_INCREASE_PERCENT` ("+1000000 %");
    - ``proportion``: a level above 100% in a clause about a proportion (accuracy, precision,
      recall, F1, top-1, AUC, availability, coverage, utilisation, hit rate, share ...): "101%
      accuracy", "availability from 99% to 120%", or above 1.0 written as a fraction ("AUC =
      1.2"); in a table, a proportion column above 100. A relative change ("recall improved by
      150%", "150% more coverage", "+150%") is not a level and is left alone;
    - ``negative``: a negative latency, duration, size or cost stated as a level ("p95 latency
      of -20 ms", "cost: -$40", "size = -3 MB"), or a negative cell in such a table column; a
      change ("latency -40%", "cut by 30 ms", a column "Δ latency") is left alone;
    - ``percentiles``: in one sentence, a higher percentile below a lower one ("p50 40 ms, p95 30
      ms", "p50/p95/p99 = 12/9/30 ms");
    - ``tables``: in a Markdown table, a proportion column above 100, a negative cell in a
      latency, time, size or cost column (not a change column: "Δ", "change", "saving" ...),
      percentiles out of order in one row.
    """
    skip = frozenset(skip)
    unknown = skip - set(FIGURE_RULES)
    if unknown:
        raise ValueError(f"unknown figure rules {sorted(unknown)}; known: {FIGURE_RULES}")
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    outside_tables = re.sub(r"^\s*\|.*$", " ", text, flags=re.MULTILINE)
    found = _percent_problems(outside_tables, skip)
    if "proportion" not in skip:
        for match in _FRACTION.finditer(outside_tables):
            value = float(match["value"])
            if 1.0 < value <= 10:
                found.append(
                    f"'{_short(match.group(0))}': {match['metric']} as a fraction is at most 1.0 "
                    "(write 0.95 or 95%)"
                )
    if "negative" not in skip:
        for match in _NEGATIVE.finditer(outside_tables):
            if _CHANGE_HEADER.search(outside_tables[max(0, match.start() - 15) : match.start()]):
                continue  # "the Δ p95 was -12 ms", "the change in latency: -30 ms"
            found.append(
                f"'{_short(match.group(0))}': a {match['what'].lower()} cannot be negative (if "
                "it is a change, say so: 'cut by 30 ms', '-40% latency')"
            )
        for match in _NEGATIVE_MONEY.finditer(outside_tables):
            start = outside_tables.rfind("\n", 0, match.start()) + 1
            before = outside_tables[max(start, match.start() - 40) : match.start()]
            if not re.search(r"sav|chang|delta|diff|δ|cut|reduc|lower|less|by\s*$", before, re.I):
                phrase = outside_tables[match.start() : match.start() + 20].split("\n")[0]
                found.append(
                    f"'{_short(phrase.strip())}': a cost cannot be negative (if it is a saving, "
                    "say so: 'saved $40 a month')"
                )
    if "percentiles" not in skip:
        for sentence in _SENTENCE.split(outside_tables):
            pair = _disorder(_sentence_percentiles(sentence))
            if pair:
                found.append(
                    f"'{pair[0]}' but '{pair[1]}' in one sentence: a higher percentile is never "
                    "below a lower one of the same runs"
                )
    if "tables" not in skip:
        found += _table_problems(text, skip)
    return list(dict.fromkeys(found))


def implausible(text: str) -> list[str]:
    """:func:`figure_problems` with every rule (the name :mod:`grader.star` has always used)."""
    return figure_problems(text)


# =============================================================================================
# One document, and the shared tests
# =============================================================================================
def document_problems(
    document: written.Document,
    *,
    skip_sections: Iterable[str] = (),
    figures: bool = True,
    skip_figures: Iterable[str] = (),
    skip_figure_sections: Iterable[str] = (),
) -> tuple[list[str], list[str]]:
    """(filler messages, figure messages) for a document, each naming its section.

    ``skip_sections``: heading words (any case) of sections not judged for filler (e.g. a list of
    references or tags); ``skip_figure_sections``: of sections not judged for figures (another
    test judges them); ``figures=False``: no figure judged; ``skip_figures``: rules left out.
    """
    skipped = tuple(name.lower() for name in skip_sections)
    unfigured = tuple(name.lower() for name in skip_figure_sections)
    filler, impossible = [], []
    sections = document.sections or {document.title or "the document": document.text}
    for heading, body in sections.items():
        if not any(name in heading.lower() for name in skipped):
            filler += [f"`## {heading}`: {problem}" for problem in filler_problems(body)]
        if figures and not any(name in heading.lower() for name in unfigured):
            impossible += [
                f"`## {heading}`: {problem}" for problem in figure_problems(body, skip=skip_figures)
            ]
    if figures and document.sections:
        first = re.search(r"^##\s", document.text, re.MULTILINE)
        preamble = document.text[: first.start()] if first else ""
        impossible += [
            f"before the first section: {problem}"
            for problem in figure_problems(preamble, skip=skip_figures)
        ]
    return filler, impossible


_CACHE: dict[tuple[str, int, int], written.Document] = {}


def _load(path: Path) -> written.Document:
    """:func:`grader.written.load`, also "not started" while the words outside headings (the
    level-3 part headings of the behavioural templates included) are too few; cached."""
    stat = path.stat() if path.is_file() else None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size) if stat else None
    if key in _CACHE:
        return _CACHE[key]
    document = written.load(path)
    prose = written.words(_HEADING_LINE.sub("", document.text))
    if prose < written.MIN_STARTED_WORDS:
        raise NotImplementedError(
            f"{path.name} is still the template ({prose} words written under its headings): "
            "fill in each section"
        )
    if key is not None:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = document
    return document


class WritingTests:
    """The shared tests that a written deliverable reads as writing; include it in the test file
    with one line, ``class TestWriting(WritingTests): ...`` (attributes below to configure).

    Its tests are marked with the clauses ``no-filler`` and ``possible-figures``; the template
    states both rules with those tags.

    Attributes:
        skip_sections: heading words of sections not judged for filler (references, tag lists).
        figures: False where the template already states the figures rule with its own tag and
            test (``star_stories``' and ``innovation_narratives``' ``[#plausible]``).
        skip_figures: figure rules (:data:`FIGURE_RULES`) another test of the file already
            checks (the week-1 reports' own tests check their results ``tables``: accuracy
            range, positive latency, p95 above p50).
        skip_figure_sections: heading words of sections whose figures another test checks (the
            estimates that ``grader.estimates.impossible_values`` judges).
    """

    skip_sections: ClassVar[tuple[str, ...]] = ()
    figures: ClassVar[bool] = True
    skip_figures: ClassVar[tuple[str, ...]] = ()
    skip_figure_sections: ClassVar[tuple[str, ...]] = ()

    @pytest.fixture
    def writing_problems(self, target_path: Path) -> tuple[list[str], list[str]]:
        return document_problems(
            _load(target_path),
            skip_sections=self.skip_sections,
            figures=self.figures,
            skip_figures=self.skip_figures,
            skip_figure_sections=self.skip_figure_sections,
        )

    @pytest.mark.clause("no-filler")
    def test_sections_are_not_filler(self, writing_problems: tuple[list[str], list[str]]) -> None:
        filler = writing_problems[0]
        assert not filler, (
            "sections that read as filler rather than writing (a reader, and your mentor, reads "
            "every word):\n" + "\n".join(f"- {problem}" for problem in filler)
        )

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.figures:  # the deliverable's own test checks them: no second, skipped test
            cls.test_figures_are_possible = None  # type: ignore[assignment]

    @pytest.mark.clause("possible-figures")
    def test_figures_are_possible(self, writing_problems: tuple[list[str], list[str]]) -> None:
        impossible = writing_problems[1]
        assert not impossible, (
            "figures that cannot be true (check the number, its sign and what it measures):\n"
            + "\n".join(f"- {problem}" for problem in impossible)
        )
