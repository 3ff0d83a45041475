"""Mock code review: find the planted issues of pull request #418 in 30 minutes.

The pull request is ``weeks/week6/portfolio/code_review_drill.diff`` (always read from the course
checkout, never from the learner's copy). Review comments are bullets of the form
``path:line[-line]: severity: comment``. A planted issue counts as found when a comment that is
not vague points at one of its line ranges (new-file line numbers, +-1 line) and says what is
wrong (one of the issue's words). A comment is vague when it has fewer than 8 words or proposes
no fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import star, written
from grader.writing import WritingTests

DIFF = "weeks/week6/portfolio/code_review_drill.diff"
SEVERITIES = ("blocker", "major", "minor", "nit")
TOLERANCE = 1  # lines either side of a planted range
MIN_SCORE = 5.0
TIME_BOX = 30
MIN_VERDICT_WORDS = 10  # the decision and a sentence of why

COMMENT = re.compile(
    r"^(?:[-*+]|\d+\.)?\s*`?(?P<path>[\w./-]+\.\w+):(?P<start>\d+)(?:\s*-\s*(?P<end>\d+))?`?"
    r"\s*:\s*(?P<severity>[A-Za-z]+)\s*:\s*(?P<text>.*)$"
)
FIX = re.compile(
    r"\b(?:use|add|call|move|replace|remove|wrap|set|pass|put|make|read|load|return|switch|"
    r"bound|limit|cap|rotate|revoke|delete|drop|change|instead|should|must|check|apply|run|"
    r"reuse|create|await|store|inject|validate|raise)\b|`[^`]+`",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Issue:
    """A planted issue: where it is (anchors in the new files) and the words that name it."""

    id: str
    what: str
    path: str | None  # None: any file of the pull request
    anchors: tuple[tuple[str, str | None], ...]  # (first line text, last line text or None)
    words: str  # regular expression, case-insensitive


ISSUES = (
    Issue(
        "train_mode",
        "the model is served in training mode",
        "rxvision/serving/batch.py",
        (
            ("def load_batch_predictor", "return BatchPredictor(model"),
            ("self.model = model", None),
            ("logits = self.model(", None),
        ),
        r"\beval\b|train(?:ing)?[ -]?mode|\bdropout\b|batch ?norm|running stat",
    ),
    Issue(
        "mutable_default",
        "a mutable default argument is shared between calls",
        "rxvision/serving/batch.py",
        (("def predict(", ") -> tuple["), ("errors.append(", None)),
        r"mutable|default (?:arg|argument|list|value|parameter)|shared (?:by|between|across)"
        r"|persists? (?:between|across)|leaks? (?:into|between|across)",
    ),
    Issue(
        "unbounded_cache",
        "the prediction cache grows without bound",
        "rxvision/serving/batch.py",
        (("_RESULTS: dict", None), ("_RESULTS[digest] =", None)),
        r"unbounded|never evict|no eviction|grows? (?:forever|without)|memory (?:leak|grow)|"
        r"\boom\b|out of memory|\blru\b|maxsize|\bttl\b|bounded",
    ),
    Issue(
        "blocking_call",
        "blocking CPU-bound work runs on the event loop",
        "rxvision/serving/routes/batch.py",
        (("images = [decode_image(", "predictions, errors = predictor.predict("),),
        r"block|event loop|run_in_threadpool|to_thread|run_in_executor|threadpool",
    ),
    Issue(
        "leaked_secret",
        "a live secret is committed",
        "rxvision/config.py",
        (("audit_api_key: str = Field(", ")"),),
        r"secret|api[ _-]?key|credential|hard-?coded|\btoken\b|rotate|revoke|leak",
    ),
    Issue(
        "missing_test",
        "the new endpoint has no tests",
        None,
        (),
        r"no tests?\b|missing tests?|without (?:any )?tests?|adds? no tests?|untested|"
        r"add (?:a |some |unit |integration |route )*tests?|tests? (?:is|are) missing|"
        r"no test coverage|write (?:a |some )?tests?",
    ),
)


@dataclass(frozen=True)
class Comment:
    path: str
    start: int
    end: int
    severity: str
    text: str
    line: str  # as written, for messages

    @property
    def vague(self) -> bool:
        return written.words(self.text) < 8 or not FIX.search(self.text)


def new_lines(diff: str) -> dict[str, dict[int, str]]:
    """Path -> {new-file line number: text} for every added or context line of a unified diff."""
    files: dict[str, dict[int, str]] = {}
    current: dict[int, str] | None = None
    number = 0
    for raw in diff.splitlines():
        if raw.startswith("+++ "):
            path = raw[4:].strip().removeprefix("b/")
            current = files.setdefault(path, {})
            continue
        if raw.startswith("--- ") or current is None:
            continue
        if hunk := re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", raw):
            number = int(hunk.group(1))
        elif raw.startswith(("+", " ")) or raw == "":
            current[number] = raw[1:]
            number += 1
    return files


def ranges(issue: Issue, files: dict[str, dict[int, str]]) -> list[tuple[str, int, int]]:
    """The (path, first, last) line ranges of a planted issue in the pull request."""
    if issue.path is None:
        return [(path, min(lines), max(lines)) for path, lines in files.items()]
    lines = files[issue.path]
    found = []
    for first, last in issue.anchors:
        start = next(n for n, text in sorted(lines.items()) if first in text)
        end = start
        if last is not None:
            end = next(n for n, text in sorted(lines.items()) if n >= start and last in text)
        found.append((issue.path, start, end))
    return found


def parse_comments(body: str) -> tuple[list[Comment], list[str]]:
    """Comments of the ``## Review comments`` section, and bullet lines that are not comments."""
    comments: list[Comment] = []
    malformed: list[str] = []
    last: Comment | None = None
    for line in body.splitlines():
        if not line.strip():
            last = None
            continue
        match = COMMENT.match(line.strip()) if not line.startswith((" ", "\t")) else None
        if match:
            start = int(match["start"])
            last = Comment(
                match["path"].strip("`"),
                start,
                int(match["end"] or start),
                match["severity"].lower(),
                match["text"].strip(),
                line.strip(),
            )
            comments.append(last)
        elif last is not None and line.startswith((" ", "\t")):
            last = Comment(
                last.path,
                last.start,
                last.end,
                last.severity,
                f"{last.text} {line.strip()}",
                last.line,
            )
            comments[-1] = last
        elif re.match(r"^\s*(?:[-*+]|\d+\.)\s", line):
            malformed.append(line.strip())
    return comments, malformed


def hits(comment: Comment, issue: Issue, files: dict[str, dict[int, str]]) -> bool:
    """The comment points at one of the issue's ranges (+-TOLERANCE) and names the issue."""
    on_target = any(
        comment.path == path
        and comment.start <= end + TOLERANCE
        and comment.end >= start - TOLERANCE
        for path, start, end in ranges(issue, files)
    )
    return on_target and re.search(issue.words, comment.text, re.IGNORECASE) is not None


@pytest.fixture
def files(rx_root: Path) -> dict[str, dict[int, str]]:
    """The pull request of the course checkout (a learner's edited copy is never read)."""
    found = new_lines((rx_root / DIFF).read_text(encoding="utf-8"))
    for issue in ISSUES:
        try:
            ranges(issue, found)
        except (KeyError, StopIteration):
            pytest.fail(f"{DIFF} lost the planted issue {issue.id}: restore it", pytrace=False)
    return found


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return star.load(target_path)


@pytest.fixture
def comments(document: written.Document) -> list[Comment]:
    return parse_comments(document.section("review comments", "comments") or "")[0]


def _body(document: written.Document) -> str:
    body = document.section("review comments", "comments")
    assert body is not None, "no `## Review comments` section"
    return body


@pytest.mark.clause("format")
def test_review_comments_follow_the_format(
    document: written.Document, files: dict[str, dict[int, str]]
) -> None:
    comments, malformed = parse_comments(_body(document))
    assert comments, (
        "no review comment found: write bullets like "
        "`- rxvision/serving/batch.py:42: major: what is wrong, why, and the fix`"
    )
    bad = [f"not in the `path:line: severity: comment` form: {line}" for line in malformed]
    bad += [
        f"{c.line[:60]}: {c.path} is not a file of the PR ({', '.join(files)})"
        for c in comments
        if c.path not in files
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.clause("severity")
def test_every_severity_is_one_of_the_four(document: written.Document) -> None:
    comments, _ = parse_comments(_body(document))
    assert comments, "no review comment found"
    bad = [
        f"{c.line[:60]}: severity {c.severity!r}" for c in comments if c.severity not in SEVERITIES
    ]
    assert not bad, f"severity must be one of {', '.join(SEVERITIES)}:\n" + "\n".join(bad)


@pytest.mark.clause("new-lines")
def test_comment_lines_are_new_file_lines_of_the_diff(
    document: written.Document, files: dict[str, dict[int, str]]
) -> None:
    comments, _ = parse_comments(_body(document))
    assert comments, "no review comment found"
    bad = [
        f"{c.line[:60]}: line {c.start}-{c.end} is not part of the diff of {c.path} (use the "
        "line numbers of the new file, after the '+' of each @@ header)"
        for c in comments
        if c.path in files and not any(c.start <= n <= c.end for n in files[c.path])
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.clause("finds-issues")
@pytest.mark.parametrize("issue", ISSUES, ids=[issue.id for issue in ISSUES])
def test_finds_planted_issue(
    issue: Issue, comments: list[Comment], files: dict[str, dict[int, str]]
) -> None:
    found = [c for c in comments if hits(c, issue, files)]
    assert any(not c.vague for c in found), (
        f"no specific comment finds a planted issue: {issue.what}"
        + (
            f". Your comment {found[0].line[:70]!r} is on it but vague: say why it matters and "
            "the concrete fix"
            if found
            else " (point at the right lines and say what is wrong)"
        )
    )


@pytest.mark.clause("severity-fits")
def test_blocking_issues_are_marked_blocker_or_major(
    comments: list[Comment], files: dict[str, dict[int, str]]
) -> None:
    serious = [issue for issue in ISSUES if issue.id in ("leaked_secret", "train_mode")]
    found = {issue.id: [c for c in comments if hits(c, issue, files)] for issue in serious}
    assert any(found.values()), "find the two most serious planted issues first"
    bad = [
        f"{c.line[:70]} is {c.severity!r}"
        for issue_id, hit in found.items()
        for c in hit
        if c.severity not in ("blocker", "major")
    ]
    assert not bad, (
        "a leaked secret and a model served in training mode must not be merged: mark them "
        "blocker (or major):\n" + "\n".join(bad)
    )


@pytest.mark.clause("specific")
def test_comments_are_specific(comments: list[Comment]) -> None:
    assert comments, "no review comment found"
    vague = [c.line[:80] for c in comments if c.vague]
    assert not vague, (
        "each comment says what is wrong, why it matters and the concrete fix (8+ words, a fix "
        "like 'use ...', 'call `model.eval()`'); vague:\n" + "\n".join(vague)
    )


@pytest.mark.clause("score")
def test_review_score(comments: list[Comment], files: dict[str, dict[int, str]]) -> None:
    found = [i.id for i in ISSUES if any(hits(c, i, files) and not c.vague for c in comments)]
    vague = sum(c.vague for c in comments)
    score = len(found) - 0.5 * vague
    assert score >= MIN_SCORE, (
        f"review score {score:g} / {len(ISSUES)}: {len(found)} planted issues found "
        f"({', '.join(found) or 'none'}), minus 0.5 for each of {vague} vague comments; "
        f"need {MIN_SCORE:g}"
    )


@pytest.mark.clause("verdict")
def test_verdict_requests_changes(document: written.Document) -> None:
    verdict = (document.section("verdict") or "").lower()
    assert "request" in verdict and "change" in verdict, (
        "a PR with a leaked secret and wrong predictions cannot be approved: the `## Verdict` "
        f"should request changes; it says {verdict[:80]!r}"
    )


@pytest.mark.clause("time-box")
def test_review_fits_the_time_box(document: written.Document) -> None:
    spent = document.numbers(document.section("time spent", "time") or "")
    assert spent, "write the minutes you spent under `## Time spent` (e.g. '27 min')"
    assert 0 < spent[0] <= TIME_BOX, (
        f"the drill is {TIME_BOX} minutes; you report {spent[0]:g}. Practise stopping at the "
        "time box: an interview will"
    )


@pytest.mark.clause("verdict-why")
def test_verdict_says_why(document: written.Document) -> None:
    verdict = document.section("verdict") or ""
    assert written.words(verdict) >= MIN_VERDICT_WORDS, (
        "after the decision, say why in one or two sentences (what blocks the merge, what would "
        f"make you approve); the `## Verdict` has {written.words(verdict)} words: {verdict!r}"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
