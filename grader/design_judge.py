"""A semi-automatic judge for written system-design answers (week 6).

It reads a Markdown design (a :class:`grader.written.Document` or plain text) and reports, in a
:class:`Judgement`, what a precise interviewer would tick off:

- **sections**: the template's sections are there (headings matched by synonyms) and each has
  more than a line of substance;
- **concepts**: the ideas the prompt is about ("feature store", "watermark", ...) are named, each
  accepted under several synonyms;
- **diagram**: every Mermaid block parses as a flowchart and its nodes name the required
  components;
- **estimates**: back-of-the-envelope numbers stated in a structured form are recomputed from the
  other stated numbers and flagged when more than 2x off.

The judge never grades prose quality: that is the mentor's rubric. Tests turn a
:class:`Judgement` into learner-facing messages with :meth:`Judgement.problems`.

Stating estimates
-----------------
Write each estimate either as a row of a Markdown table (first cell the quantity, then the value,
then an optional unit) or as a line ``name = value [unit]``::

    | quantity | value | unit |
    |---|---|---|
    | daily_requests | 50,000,000 | requests/day |
    | peak_factor | 3 | |
    | peak_qps | 1,736 | requests/s |

    latency_ms = 20
    replicas = 12

A unit may also be the end of the name (``latency_ms``, ``storage_tb``, ``bandwidth_gbps``).
Values accept ``1,736``, ``1.7k``, ``50M``, ``5e7``, ``80%``; a line may show its working
(``peak_qps = 579 x 3 = 1,736 requests/s``: the value after the last ``=`` counts). The names the
judge understands (and recomputes) are in :data:`QUANTITIES` and :data:`DERIVATIONS`; any name
starting with ``budget_`` is one stage of a latency budget whose sum must fit ``latency_slo``.

API: :func:`judge` (a document against a :class:`Rubric`, giving a :class:`Judgement`),
:func:`find_terms`, :func:`items`, :func:`parse_mermaid`, :func:`parse_estimates` and
:func:`check_estimates` for tests that need one piece; :data:`RUBRICS` holds the three Monday
prompts.

Mermaid
-------
:func:`parse_mermaid` is a small parser for the flowchart subset used in design answers
(``graph``/``flowchart`` with a direction; nodes with ``[] () {} [()] ([]) [[]] (()) {{}} >]``
labels; edges ``--> --- -.-> -.- ==> ===`` with ``|labels|`` or ``-- text -->``; ``&``; chains;
subgraphs). It needs nothing but Python. :class:`NodeMermaid` runs the real Mermaid parser
(``mermaid`` from npm under ``jsdom``, installed into a cache directory) where Node.js exists; the
grader's own tests cross-check the two.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.written import Document, parse, words

__all__ = [
    "DERIVATIONS",
    "DESIGN_SECTIONS",
    "QUANTITIES",
    "RUBRICS",
    "Checklist",
    "Edge",
    "Estimate",
    "EstimateCheck",
    "Estimates",
    "Flowchart",
    "Judgement",
    "MermaidError",
    "Node",
    "NodeMermaid",
    "Quantity",
    "Rubric",
    "Subgraph",
    "check_estimates",
    "find_terms",
    "items",
    "judge",
    "parse_estimates",
    "parse_mermaid",
]

TOLERANCE = 2.0  # an estimate more than 2x away from its recomputed value is flagged


# =============================================================================================
# Terms: concepts, headings and components matched by synonyms
# =============================================================================================
def _normalise(text: str) -> str:
    """Lower case, hyphens/underscores/slashes as spaces, Markdown emphasis and HTML removed."""
    text = html.unescape(re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)).lower()
    text = re.sub(r"[`*_]+", " ", text)
    text = re.sub(r"[-/\u2010-\u2015]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _term_pattern(term: str) -> re.Pattern[str]:
    body = re.escape(_normalise(term)).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![a-z0-9]){body}(?:s|es)?(?![a-z0-9])")


def _first_match(text: str, synonyms: Sequence[str]) -> str | None:
    normalised = _normalise(text)
    for synonym in synonyms:
        if _term_pattern(synonym).search(normalised):
            return synonym
    return None


@dataclass(frozen=True)
class Checklist:
    """What was found (item -> the evidence: the synonym, heading or node label) and missed."""

    found: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.missing


def find_terms(text: str, terms: Mapping[str, Sequence[str]]) -> Checklist:
    """Which ``terms`` (name -> synonyms, the name itself always counts) occur in ``text``.

    Matching ignores case, Markdown emphasis, and treats ``-``, ``_`` and ``/`` as spaces, on
    word boundaries, with an optional plural ``s``: ``"feature store"`` matches "Feature-Stores".
    """
    found: dict[str, str] = {}
    missing: list[str] = []
    for name, synonyms in terms.items():
        hit = _first_match(text, (name, *synonyms))
        if hit is None:
            missing.append(name)
        else:
            found[name] = hit
    return Checklist(found, tuple(missing))


_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+|^###+\s+")


def items(text: str) -> list[str]:
    """The items of a section body: list items (``-``, ``*``, ``1.``) and ``###`` blocks, each
    with the lines that follow it up to the next item (comments removed); indented (nested) list
    items stay part of their parent."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    found: list[list[str]] = []
    for line in text.splitlines():
        if _ITEM.match(line):
            found.append([_ITEM.sub("", line, count=1)])
        elif found:
            found[-1].append(line.strip())  # continuation lines (and trailing text) belong to it
    return [" ".join(part for part in item if part).strip() for item in found]


# =============================================================================================
# Mermaid flowcharts
# =============================================================================================
class MermaidError(ValueError):
    """A diagram that Mermaid would refuse; ``line`` is 1-based within the diagram text."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class Node:
    """A node: ``shape`` is Mermaid's name (``square``, ``round``, ``cylinder``, ...) or None
    when the node was only referenced by its id (then ``label == id``)."""

    id: str
    label: str
    shape: str | None = None


@dataclass(frozen=True)
class Edge:
    """An edge: ``arrow`` is ``point``, ``open``, ``circle``, ``cross`` or ``double``;
    ``stroke`` is ``normal``, ``dotted`` (asynchronous by convention) or ``thick``."""

    source: str
    target: str
    label: str = ""
    arrow: str = "point"
    stroke: str = "normal"


@dataclass(frozen=True)
class Subgraph:
    id: str
    title: str
    nodes: frozenset[str]


@dataclass(frozen=True)
class Flowchart:
    """A parsed flowchart: nodes by id (first-mention order), edges and subgraphs in order."""

    direction: str
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    subgraphs: tuple[Subgraph, ...]

    def labels(self) -> list[str]:
        return [node.label for node in self.nodes.values()]

    def undeclared(self) -> list[str]:
        """Ids used without ever being given a label (often a typo of a declared id)."""
        titled = {s.id for s in self.subgraphs}
        return [n.id for n in self.nodes.values() if n.shape is None and n.id not in titled]

    def text(self) -> str:
        """Node labels and subgraph titles, one per line (what a reader of the diagram sees)."""
        return "\n".join([*self.labels(), *(s.title for s in self.subgraphs)])


_HEADER = re.compile(r"^(?:graph|flowchart(?:-elk)?)(?:\s+(TD|TB|BT|RL|LR))?\s*$", re.IGNORECASE)
_IGNORED = re.compile(
    r"^(?:classDef|class|style|linkStyle|click|accTitle|accDescr|title|direction)\b"
)
_ID = re.compile(r"[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*")
# (opening, closing, mermaid shape name); longest openings first
_SHAPES = (
    ("(((", ")))", "doublecircle"),
    ("([", "])", "stadium"),
    ("[(", ")]", "cylinder"),
    ("[[", "]]", "subroutine"),
    ("((", "))", "circle"),
    ("{{", "}}", "hexagon"),
    ("[/", "/]", "lean_right"),
    ("[\\", "\\]", "lean_left"),
    ("[/", "\\]", "trapezoid"),
    ("[\\", "/]", "inv_trapezoid"),
    ("[", "]", "square"),
    ("(", ")", "round"),
    ("{", "}", "diamond"),
    (">", "]", "odd"),
)
_ARROWS = (
    # plain links: (regex, arrow, stroke); the text forms are handled in _link
    (re.compile(r"<?-\.+-[>ox]"), "point", "dotted"),
    (re.compile(r"-\.+-"), "open", "dotted"),
    (re.compile(r"<?={2,}[>ox]"), "point", "thick"),
    (re.compile(r"={3,}"), "open", "thick"),
    (re.compile(r"<?-{2,}[>ox]"), "point", "normal"),
    (re.compile(r"-{3,}"), "open", "normal"),
)
_TEXT_LINKS = (
    (re.compile(r"<?--(?![->.])\s*(?P<text>[^|]+?)\s*(?P<end>-{2,}[>ox]|-{3,})"), "normal"),
    (re.compile(r"<?-\.(?!-)\s*(?P<text>[^|]+?)\s*(?P<end>\.-[>ox]?)"), "dotted"),
    (re.compile(r"<?==(?![=>])\s*(?P<text>[^|]+?)\s*(?P<end>={2,}[>ox]|={3,})"), "thick"),
)
_PIPE_LABEL = re.compile(r"\s*\|(?P<label>[^|]*)\|")
_BRACKETS = "[](){}"
_CONTINUES = re.compile(r"(?:--+>|---+|-\.+->|-\.+-|==+>|===+|\|[^|]*\||&)\s*$")


def _arrow_kind(token: str, stroke: str) -> str:
    end = token.rstrip()[-1]
    kind = {">": "point", "o": "circle", "x": "cross"}.get(end, "open")
    if stroke == "dotted" and end == "-":
        kind = "open"
    return "double" if token.startswith("<") and kind == "point" else kind


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


class _Statement:
    """Scanner over one statement (a node chain), raising :class:`MermaidError` on bad input."""

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.pos = 0
        self.line = line

    def error(self, message: str) -> MermaidError:
        near = self.text[self.pos : self.pos + 25] or "the end of the line"
        return MermaidError(f"{message} (near {near!r})", self.line)

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def done(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def node(self) -> Node:
        self.skip()
        match = _ID.match(self.text, self.pos)
        if match is None:
            raise self.error("expected a node id (letters, digits, _)")
        node_id = match.group()
        if node_id == "end":
            raise self.error("`end` closes a subgraph; it cannot be a node id (use End or end_)")
        self.pos = match.end()
        label, shape = node_id, None
        for opening, closing, name in _SHAPES:
            if not self.text.startswith(opening, self.pos):
                continue
            start = self.pos + len(opening)
            if self.text.startswith('"', start):
                quote_end = self.text.find('"', start + 1)
                if quote_end < 0:
                    raise self.error("unclosed quote in a node label")
                if not self.text.startswith(closing, quote_end + 1):
                    continue
                label, end = self.text[start + 1 : quote_end], quote_end + 1
            else:
                end = self.text.find(closing, start)
                if end < 0:
                    continue
                label = self.text[start:end]
                if not label.strip():
                    raise self.error(f"node {node_id}: empty label (leave out the brackets)")
                if any(c in label for c in _BRACKETS) or '"' in label:
                    raise self.error(
                        f"node {node_id}: brackets or quotes inside a label must be quoted, "
                        f'e.g. {node_id}["..."]'
                    )
            label, shape = label.strip(), name
            self.pos = end + len(closing)
            break
        else:
            if self.pos < len(self.text) and self.text[self.pos] in "[({>":
                raise self.error(f"node {node_id}: its label is not closed")
        if self.text.startswith(":::", self.pos):
            cls = _ID.match(self.text, self.pos + 3)
            if cls is None:
                raise self.error("expected a class name after :::")
            self.pos = cls.end()
        if self.pos < len(self.text) and self.text[self.pos] in _BRACKETS + "\"'":
            raise self.error(f"unexpected {self.text[self.pos]!r} after node {node_id}")
        return Node(node_id, label, shape)

    def group(self) -> list[Node]:
        nodes = [self.node()]
        while True:
            self.skip()
            if not self.text.startswith("&", self.pos):
                return nodes
            self.pos += 1
            nodes.append(self.node())

    def link(self) -> tuple[str, str, str]:
        """(label, arrow, stroke) of the link at the cursor."""
        self.skip()
        for pattern, stroke in _TEXT_LINKS:
            match = pattern.match(self.text, self.pos)
            if match and not _PIPE_LABEL.match(self.text, match.end()):
                self.pos = match.end()
                token = self.text[match.start() : match.start() + 1] + match.group("end")
                return _strip_quotes(match.group("text")), _arrow_kind(token, stroke), stroke
        for pattern, _arrow, stroke in _ARROWS:
            match = pattern.match(self.text, self.pos)
            if match:
                self.pos = match.end()
                label = ""
                if pipe := _PIPE_LABEL.match(self.text, self.pos):
                    label = _strip_quotes(pipe.group("label"))
                    self.pos = pipe.end()
                return label, _arrow_kind(match.group(), stroke), stroke
        raise self.error("expected an arrow (-->, ---, -.->, ==>) or the end of the statement")


def _split_statements(line: str) -> list[str]:
    """Split on ``;`` outside quotes and brackets."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "[({":
            depth += 1
        elif not quoted and char in "])}":
            depth = max(0, depth - 1)
        elif char == ";" and not quoted and depth == 0:
            parts.append(line[start:i])
            start = i + 1
    parts.append(line[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_mermaid(text: str) -> Flowchart:
    """Parse a Mermaid flowchart (the subset described in the module docstring).

    Raises:
        MermaidError: with the line number, for anything Mermaid would refuse (unclosed labels,
            an arrow without a target, ``end`` without ``subgraph``, an unknown direction ...)
            and for diagram types other than flowcharts.
    """
    lines = text.splitlines()
    index = 0
    if lines and lines[0].strip() == "---":  # front matter
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if closing is None:
            raise MermaidError("front matter opened with --- is never closed", 1)
        index = closing + 1
    statements: list[tuple[int, str]] = []
    header: tuple[int, str] | None = None
    continued: tuple[int, str] | None = None  # a line ending in an arrow goes on on the next
    for number, raw in enumerate(lines[index:], start=index + 1):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        if header is None:
            first, _, rest = line.partition(";")
            header = (number, first.strip())
            statements += [(number, s) for s in _split_statements(rest)]
            continue
        if continued is not None:
            number, line = continued[0], continued[1] + " " + line
        continued = (number, line) if _CONTINUES.search(line) else None
        if continued is None:
            statements += [(number, s) for s in _split_statements(line)]
    if continued is not None:
        statements += [(continued[0], s) for s in _split_statements(continued[1])]
    if header is None:
        raise MermaidError("the diagram is empty")
    match = _HEADER.match(header[1])
    if match is None:
        kind = header[1].split()[0] if header[1].split() else header[1]
        if kind.lower() in ("graph", "flowchart"):
            raise MermaidError(
                f"unknown direction in {header[1]!r}: use TD, TB, BT, RL or LR", header[0]
            )
        raise MermaidError(
            f"only flowcharts are judged: start with `flowchart LR` (or TD), not {kind!r}",
            header[0],
        )
    direction = (match.group(1) or "TB").upper().replace("TD", "TB")

    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    subgraphs: list[Subgraph] = []
    open_frames: list[tuple[str, str, list[str], int]] = []  # id, title, mentions, line
    auto = 0

    def mention(node: Node) -> None:
        known = nodes.get(node.id)
        if known is None or node.shape is not None:
            nodes[node.id] = node if known is None or node.shape else known
        for frame in open_frames:
            frame[2].append(node.id)

    for number, statement in statements:
        keyword = statement.split(maxsplit=1)
        if keyword[0] == "subgraph":
            rest = keyword[1].strip() if len(keyword) > 1 else ""
            if not rest:
                raise MermaidError("subgraph needs an id or a title", number)
            titled = re.fullmatch(r"([A-Za-z0-9_]+)\s*\[(.*)\]", rest)
            if titled:
                sub_id, title = titled.group(1), _strip_quotes(titled.group(2))
            elif _ID.fullmatch(rest):
                sub_id = title = rest
            else:
                sub_id, title = f"subGraph{auto}", _strip_quotes(rest)
            auto += 1
            open_frames.append((sub_id, title, [], number))
            continue
        if statement == "end":
            if not open_frames:
                raise MermaidError("`end` without an open subgraph", number)
            sub_id, title, mentions, _ = open_frames.pop()
            taken = {n for s in subgraphs for n in s.nodes}
            members = frozenset(m for m in mentions if m not in taken)
            subgraphs.append(Subgraph(sub_id, title, members))
            if open_frames:
                open_frames[-1][2].append(sub_id)
            continue
        if _IGNORED.match(statement):
            if statement.startswith("direction") and not re.fullmatch(
                r"direction\s+(TD|TB|BT|RL|LR)", statement
            ):
                raise MermaidError(f"bad direction statement {statement!r}", number)
            continue
        scanner = _Statement(statement, number)
        group = scanner.group()
        for node in group:
            mention(node)
        while not scanner.done():
            label, arrow, stroke = scanner.link()
            if scanner.done():
                raise scanner.error("this arrow has no target node")
            targets = scanner.group()
            for node in targets:
                mention(node)
            edges += [Edge(s.id, t.id, label, arrow, stroke) for s in group for t in targets]
            group = targets
    if open_frames:
        sub_id, _, _, number = open_frames[-1]
        raise MermaidError(f"subgraph {sub_id} is never closed with `end`", number)
    return Flowchart(direction, nodes, tuple(edges), tuple(subgraphs))


class NodeMermaid:
    """The real Mermaid parser, run by Node.js (``mermaid`` + ``jsdom`` from npm).

    ``mermaid.parse`` needs a DOM (DOMPurify), so the script sets up ``jsdom`` first and reads the
    parsed graph from ``mermaid.mermaidAPI.getDiagramFromText``. ``@mermaid-js/parser`` (the
    Langium grammars) has no flowchart grammar yet, so it cannot replace this.

    Args:
        directory: where the npm packages are installed (default: ``$RXGRADE_MERMAID_DIR`` or
            ``~/.cache/rxgrade/mermaid``); never inside the repository.
    """

    PACKAGES = ("mermaid@11.17.2", "jsdom@29.1.1")
    SCRIPT = r"""
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
const out = [];
for (const text of JSON.parse(readFileSync(0, 'utf8'))) {
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    if (!db.getVertices) { out.push({ type: diagram.type }); continue; }
    out.push({
      type: diagram.type,
      direction: db.getDirection ? db.getDirection() : null,
      nodes: [...db.getVertices().values()].map(
        (v) => ({ id: v.id, label: v.text ?? v.id, shape: v.type ?? null })),
      edges: db.getEdges().map((e) => ({
        source: e.start, target: e.end, label: e.text ?? '', type: e.type, stroke: e.stroke })),
      subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: s.nodes })),
    });
  } catch (error) {
    out.push({ error: String(error?.message ?? error).split('\n').slice(0, 3).join(' ') });
  }
}
process.stdout.write(JSON.stringify(out));
"""

    def __init__(self, directory: Path | str | None = None) -> None:
        default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        self.directory = Path(
            directory or os.environ.get("RXGRADE_MERMAID_DIR") or default / "rxgrade" / "mermaid"
        )
        self.node = shutil.which("node")
        self.npm = shutil.which("npm")

    @property
    def installed(self) -> bool:
        return (self.directory / "node_modules" / "mermaid" / "package.json").is_file() and (
            self.directory / "node_modules" / "jsdom" / "package.json"
        ).is_file()

    def install(self, timeout: float = 300) -> None:
        """``npm install`` the pinned packages into :attr:`directory` (once).

        Raises:
            RuntimeError: no Node.js/npm, or npm failed (the message says what to do).
        """
        if self.node is None or self.npm is None:
            raise RuntimeError("Node.js and npm are not installed (apt-get install nodejs npm)")
        if self.installed:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        manifest = self.directory / "package.json"
        if not manifest.exists():
            manifest.write_text('{"name": "rxgrade-mermaid", "private": true}\n')
        proc = subprocess.run(
            [self.npm, "install", "--no-audit", "--no-fund", "--silent", *self.PACKAGES],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0 or not self.installed:
            raise RuntimeError(f"npm install failed in {self.directory}: {proc.stderr[-500:]}")

    def parse_many(self, texts: Sequence[str], timeout: float = 120) -> list[dict]:
        """One dict per text: ``{"error": ...}`` or the graph (nodes, edges, subgraphs)."""
        if self.node is None or not self.installed:
            raise RuntimeError(f"Mermaid is not installed under {self.directory}: call install()")
        script = self.directory / "rxgrade_parse.mjs"
        if not script.is_file() or script.read_text() != self.SCRIPT:
            script.write_text(self.SCRIPT)
        proc = subprocess.run(
            [self.node, str(script)],
            input=json.dumps(list(texts)),
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"node failed: {proc.stderr[-1000:]}")
        results = json.loads(proc.stdout)
        for result in results:
            for node in result.get("nodes", []):
                node["label"] = html.unescape(node["label"])
        return results


# =============================================================================================
# Estimates
# =============================================================================================
# dimension: (base, per_time). Base units: count, bytes, seconds, ratio, money; per_time means
# "per second". Bits are bytes / 8.
Dim = tuple[str, bool]
COUNT: Dim = ("count", False)
RATE: Dim = ("count", True)
BYTES: Dim = ("bytes", False)
BYTE_RATE: Dim = ("bytes", True)
TIME: Dim = ("time", False)
RATIO: Dim = ("ratio", False)
MONEY: Dim = ("money", False)
MONEY_RATE: Dim = ("money", True)


@dataclass(frozen=True)
class Quantity:
    dim: Dim
    unit: str  # default unit when none is written
    aliases: tuple[str, ...] = ()
    description: str = ""


#: The quantities the judge understands: canonical name -> dimension, default unit, aliases.
QUANTITIES: dict[str, Quantity] = {
    "dau": Quantity(COUNT, "", ("daily_active_users", "users"), "daily active users"),
    "requests_per_user": Quantity(
        COUNT, "", ("requests_per_user_per_day",), "requests per user per day"
    ),
    "daily_requests": Quantity(
        RATE,
        "/day",
        (
            "requests_per_day",
            "daily_predictions",
            "predictions_per_day",
            "daily_events",
            "events_per_day",
            "daily_queries",
            "queries_per_day",
            "daily_photos",
            "photos_per_day",
        ),
        "requests per day",
    ),
    "avg_qps": Quantity(
        RATE, "/s", ("average_qps", "mean_qps", "avg_rps", "avg_eps", "average_eps"), "average"
    ),
    "peak_factor": Quantity(RATIO, "", ("peak_to_average", "peak_ratio"), "peak / average"),
    "peak_qps": Quantity(RATE, "/s", ("qps_peak", "peak_rps", "peak_eps"), "peak requests/s"),
    "scale_factor": Quantity(RATIO, "", ("growth_factor", "traffic_multiplier"), "growth"),
    "target_qps": Quantity(
        RATE, "/s", ("target_peak_qps", "scaled_qps", "future_peak_qps"), "peak after growth"
    ),
    "cache_hit_rate": Quantity(RATIO, "", ("hit_rate", "cache_hit_ratio"), "share of hits"),
    "backend_qps": Quantity(
        RATE, "/s", ("model_qps", "miss_qps", "uncached_qps", "qps_after_cache"), "cache misses"
    ),
    "latency": Quantity(
        TIME, "s", ("service_time", "inference_latency", "model_latency"), "time per request"
    ),
    "concurrency_per_replica": Quantity(
        COUNT, "", ("concurrency", "concurrency_per_pod", "workers_per_replica"), "in flight"
    ),
    "replica_throughput": Quantity(
        RATE,
        "/s",
        ("pod_capacity", "pod_capacity_qps", "per_pod_qps", "qps_per_replica", "qps_per_pod"),
        "measured requests/s one replica sustains",
    ),
    "utilisation": Quantity(
        RATIO, "", ("utilization", "target_utilisation", "target_utilization"), "target load"
    ),
    "replicas": Quantity(
        COUNT, "", ("servers", "pods", "replicas_needed", "servers_needed"), "serving replicas"
    ),
    "items_per_day": Quantity(
        RATE, "/day", ("images_per_day", "new_items_per_day", "stored_per_day"), "stored/day"
    ),
    "item_size": Quantity(
        BYTES, "B", ("bytes_per_item", "image_size", "event_size", "record_size"), "per item"
    ),
    "retention": Quantity(TIME, "day", ("retention_period",), "how long items are kept"),
    "replication": Quantity(RATIO, "", ("replication_factor", "copies"), "copies kept"),
    "storage": Quantity(BYTES, "B", ("total_storage", "storage_needed"), "total storage"),
    "payload_size": Quantity(BYTES, "B", ("request_size", "payload"), "bytes per request"),
    "bandwidth": Quantity(
        BYTE_RATE, "bit/s", ("ingress_bandwidth", "network_bandwidth"), "at peak"
    ),
    "latency_slo": Quantity(TIME, "s", ("slo_latency", "end_to_end_slo", "p99_slo"), "SLO"),
    "catalogue_size": Quantity(
        COUNT, "", ("catalogue_items", "catalog_size", "catalog_items", "corpus_size"), "items"
    ),
    "candidates_retrieved": Quantity(
        COUNT, "", ("retrieval_candidates", "retrieved_candidates"), "after retrieval"
    ),
    "candidates_ranked": Quantity(
        COUNT, "", ("ranking_candidates", "ranked_candidates"), "scored by the ranker"
    ),
    "results_shown": Quantity(COUNT, "", ("slate_size", "results_returned"), "shown to the user"),
    "model_size": Quantity(BYTES, "B", ("model_bytes", "artifact_size"), "model file size"),
    "p99_latency": Quantity(TIME, "s", ("latency_p99", "measured_p99"), "measured p99"),
    "cost_per_replica_hour": Quantity(
        MONEY_RATE, "$/hour", ("cost_per_pod_hour", "price_per_replica_hour"), "price"
    ),
    "monthly_cost": Quantity(MONEY, "$", ("cost_per_month",), "serving cost per month"),
    "cost_per_million": Quantity(
        MONEY, "$", ("cost_per_million_predictions", "cost_per_million_requests"), "unit cost"
    ),
}
_ALIASES = {alias: name for name, q in QUANTITIES.items() for alias in (name, *q.aliases)}
HOURS_PER_MONTH = 730

#: The recomputations, as (quantity, formula) for the documentation and messages.
DERIVATIONS: dict[str, str] = {
    "daily_requests": "dau x requests_per_user",
    "avg_qps": "daily_requests / 86,400 s",
    "peak_qps": "avg_qps x peak_factor",
    "target_qps": "peak_qps x scale_factor",
    "backend_qps": "load x (1 - cache_hit_rate), load = target_qps or peak_qps",
    "replicas": "ceil(load / (replica_throughput x utilisation)) when replica_throughput is "
    "stated, else ceil(load x latency / (concurrency_per_replica x utilisation)) (Little's law); "
    "load = backend_qps (stated, or derived from cache_hit_rate), else target_qps, else peak_qps; "
    "utilisation defaults to 1",
    "storage": "items_per_day x item_size x retention x replication (replication defaults to 1)",
    "bandwidth": "(target_qps or peak_qps) x payload_size x 8 bits",
    "monthly_cost": f"replicas x cost_per_replica_hour x {HOURS_PER_MONTH} h",
    "cost_per_million": "cost_per_replica_hour / (replica_throughput x utilisation) x 10^6",
    "latency_slo": "sum of the budget_* stages, which must fit within the SLO (and use half of it)",
}

_TIME_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "week": 604800.0,
    "weeks": 604800.0,
    "month": 2_592_000.0,
    "months": 2_592_000.0,
    "y": 31_536_000.0,
    "yr": 31_536_000.0,
    "year": 31_536_000.0,
    "years": 31_536_000.0,
}
_PREFIX = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}
_BINARY = {"ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40, "pi": 2**50}
_MONEY = {"$", "usd", "dollar", "dollars", "€", "eur", "euro", "euros"}
_RATE_WORDS = {"qps": 1.0, "rps": 1.0, "tps": 1.0, "eps": 1.0}
_MULTIPLIER = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
}
_NUMBER = re.compile(
    r"(?P<num>[-+]?\d[\d,_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"(?:\s*(?P<mult>k|K|M|mn|bn|thousand|million|billion)(?![A-Za-z]))?"
)


def _unit_atom(token: str) -> tuple[str, float] | None:
    """(base, factor) of one unit word: 'ms' -> ('time', 1e-3), 'MB' -> ('bytes', 1e6)."""
    if token in _TIME_UNITS:
        return "time", _TIME_UNITS[token]
    lowered = token.lower()
    if lowered in _MONEY:
        return "money", 1.0
    if lowered in ("%", "percent"):
        return "ratio", 0.01
    if lowered in ("x", "×"):
        return "ratio", 1.0
    if lowered in _RATE_WORDS:
        return "count/s", 1.0
    match = re.fullmatch(r"([kmgtp]?i?)(b|bytes?|bits?|bps)", token, re.IGNORECASE)
    if match:
        prefix, kind = match.group(1).lower(), match.group(2)
        scale = _BINARY.get(prefix) if prefix.endswith("i") else _PREFIX.get(prefix)
        if scale is None:
            return None
        if kind.lower() == "bps":
            return "bytes/s", scale / 8
        if kind.lower().startswith("bit") or kind == "b":
            return "bytes", scale / 8
        return "bytes", scale
    if re.fullmatch(r"[A-Za-z]+", token):
        return "count", 1.0  # requests, images, events, pods ... are all counts
    return None


def _parse_unit(unit: str) -> tuple[Dim, float] | None:
    """Dimension and factor to base units of a unit text such as 'requests/day' or 'Gbit/s'."""
    text = re.sub(r"\bper\s+", "/", unit.strip())
    if not text:
        return None
    if text.startswith("$") and len(text) > 1 and text[1] not in "/ ":
        text = "$ " + text[1:]
    numerator, _, denominator = text.partition("/")
    base: str | None = None
    factor, per_time = 1.0, False
    for token in numerator.split():
        atom = _unit_atom(token)
        if atom is None:
            return None
        kind, scale = atom
        if kind.endswith("/s"):
            kind, per_time = kind[:-2], True
        if kind == "count":
            base = base or "count"
        elif base in (None, "count"):
            base = kind
        else:
            return None  # two physical units multiplied ('MB ms'): not an estimate we know
        factor *= scale
    if denominator:
        per = _TIME_UNITS.get(denominator.strip().split()[0]) if denominator.split() else None
        if per is None or per_time:
            return None
        factor /= per
        per_time = True
    base = base or "count"
    if base in ("time", "ratio") and per_time:
        return None
    return (base, per_time), factor


def _parse_value(text: str) -> tuple[float, str] | None:
    """(number, the unit text after it) of a value such as '~1.7k requests/s' or '80%'."""
    text = re.sub(r"\([^)]*\)", " ", text)  # drop remarks in parentheses
    text = text.replace("≈", "").replace("~", "").replace("about", "").strip()
    match = _NUMBER.search(text)
    if match is None or text[: match.start()].strip(" $€*`"):
        return None
    number = float(match.group("num").replace(",", "").replace("_", ""))
    if mult := match.group("mult"):
        number *= _MULTIPLIER[mult.lower()]
    before = text[: match.start()].strip(" *`")
    unit = (before + " " + text[match.end() :]).strip(" *`.,;")
    return number, unit


@dataclass(frozen=True)
class Estimate:
    """One stated estimate: ``value`` in base units (count, bytes, seconds, ratio, money; rates
    per second), ``factor`` converts back to the unit the learner wrote."""

    name: str
    value: float
    unit: str
    factor: float
    line: int
    text: str

    def shown(self, base_value: float | None = None) -> str:
        """A base-unit value in this estimate's unit, e.g. '1,736 requests/s'."""
        value = self.value if base_value is None else base_value
        number = _fmt(value / self.factor)
        if self.unit.startswith("$"):
            return f"${number}{self.unit[1:]}"
        return f"{number} {self.unit}".strip()


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _resolve_name(raw: str) -> tuple[str, str] | None:
    """(canonical name, unit from the name's suffix) for a quantity name, or None.

    ``latency_ms`` -> ('latency', 'ms'); ``payload_kb`` -> ('payload_size', 'kB') (in a name, b
    is a byte); ``cost_per_replica_hour_usd`` -> ('cost_per_replica_hour', '$/hour').
    """
    name = raw.strip().strip("`*").strip().lower().replace("-", "_").replace(" ", "_")
    if name.startswith("budget_") and len(name) > len("budget_"):
        stem, _, suffix = name.rpartition("_")
        if suffix in _TIME_UNITS and stem != "budget":
            return stem, suffix
        return name, ""
    if name in _ALIASES:
        return _ALIASES[name], ""
    if "_" not in name:
        return None
    stem, _, suffix = name.rpartition("_")
    if stem not in _ALIASES:
        return None
    canonical = _ALIASES[stem]
    unit = {"usd": "$", "eur": "€", "pct": "%", "percent": "%"}.get(suffix, suffix)
    if re.fullmatch(r"[kmgtp]?i?b", unit):
        unit = unit[:-1] + "B"
    parsed = _parse_unit(unit)
    if parsed is None:
        return None
    (base, per_time), _ = parsed
    default = QUANTITIES[canonical].unit
    if "/" in default and not per_time and base != "time":
        unit = f"{unit}/{default.split('/', 1)[1]}"  # cost_per_replica_hour_usd: $ per hour
    return canonical, unit


_LINE = re.compile(r"^\s*(?:[-*+]\s+)?`?(?P<name>[A-Za-z][\w]*)`?\s*=\s*(?P<rest>.+?)`?\s*$")


@dataclass(frozen=True)
class Estimates:
    """Estimates stated in a document by canonical name, plus problems reading them."""

    values: dict[str, Estimate] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def parse_estimates(text: str) -> Estimates:
    """Read the estimates stated in ``text`` (tables and ``name = value`` lines).

    Unknown names are ignored (they may be anything); a known name with a value that is not a
    number, a unit that does not fit (``latency = 3 GB``), or two different values is reported in
    :attr:`Estimates.problems`.
    """
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    values: dict[str, Estimate] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if len(cells) < 2:
                continue
            raw_name, raw_value = cells[0], cells[1]
            raw_unit = cells[2] if len(cells) > 2 else ""
        elif match := _LINE.match(line):
            raw_name, raw_value, raw_unit = match.group("name"), match.group("rest"), ""
            raw_value = raw_value.rsplit("=", 1)[-1]
            if not re.search(r"\d", raw_value):
                continue  # a formula in words, not a stated value
        else:
            continue
        resolved = _resolve_name(raw_name)
        if resolved is None:
            continue
        name, name_unit = resolved
        quantity = QUANTITIES.get(name, Quantity(TIME, "s") if name.startswith("budget_") else None)
        assert quantity is not None
        parsed = _parse_value(raw_value)
        if parsed is None:
            problems.append(f"line {number}: {raw_name} = {raw_value!r} is not a number")
            continue
        value, inline_unit = parsed
        unit = (inline_unit or raw_unit.strip("` ") or name_unit or quantity.unit).strip()
        dim_factor = _parse_unit(unit) if unit else (COUNT, 1.0)
        if dim_factor is None:
            problems.append(f"line {number}: {raw_name}: the unit {unit!r} is not understood")
            continue
        dim, factor = dim_factor
        dim, factor = _fit(dim, factor, quantity)
        if dim != quantity.dim:
            problems.append(
                f"line {number}: {raw_name} is {_describe(quantity.dim)} but {unit!r} is "
                f"{_describe(dim)}"
            )
            continue
        if quantity.dim == RATIO and not unit and value > 1 and name in _FRACTIONS:
            factor = 0.01  # 'utilisation = 60' means 60 %
        estimate = Estimate(name, value * factor, unit, factor, number, stripped)
        previous = values.get(name)
        if previous and not math.isclose(previous.value, estimate.value, rel_tol=1e-6):
            problems.append(
                f"line {number}: {name} is stated twice with different values "
                f"({previous.shown()} on line {previous.line}, {estimate.shown()} here)"
            )
            continue
        values[name] = estimate
    return Estimates(values, tuple(problems))


_FRACTIONS = {"utilisation", "cache_hit_rate"}


def _fit(dim: Dim, factor: float, quantity: Quantity) -> tuple[Dim, float]:
    """Reconcile a written unit with the quantity: a plain count for a rate takes the quantity's
    default time base ('50M requests' as daily_requests is per day), a count for a ratio or an
    amount of money is that ratio or amount."""
    if dim == COUNT and quantity.dim in (RATE, MONEY_RATE):
        per = _TIME_UNITS[quantity.unit.split("/", 1)[1]]
        return quantity.dim, factor / per
    if dim == COUNT and quantity.dim in (RATIO, MONEY):
        return quantity.dim, factor
    if dim == MONEY and quantity.dim == MONEY_RATE:
        per = _TIME_UNITS[quantity.unit.split("/", 1)[1]]
        return MONEY_RATE, factor / per
    return dim, factor


def _describe(dim: Dim) -> str:
    base, per_time = dim
    names = {
        "count": "a count",
        "bytes": "a size in bytes",
        "time": "a duration",
        "ratio": "a ratio",
        "money": "an amount of money",
    }
    return names[base] + (" per unit of time" if per_time else "")


@dataclass(frozen=True)
class EstimateCheck:
    """A stated estimate compared with its recomputation from the other stated numbers."""

    name: str
    stated: Estimate
    expected: float  # base units
    working: str  # the formula with the numbers put in
    ok: bool

    @property
    def ratio(self) -> float:
        if self.expected == 0:
            return math.inf if self.stated.value else 1.0
        return self.stated.value / self.expected

    def message(self) -> str:
        if self.name == "latency_slo":
            return (
                f"latency budget (line {self.stated.line}): the budget_* stages add up to "
                f"{self.stated.shown(self.expected)} for an SLO of {self.stated.shown()}; the "
                "stages must fit within the SLO and account for at least half of it"
            )
        off = self.ratio if self.ratio >= 1 else 1 / self.ratio if self.ratio else math.inf
        return (
            f"{self.name} (line {self.stated.line}): you wrote {self.stated.shown()}, but "
            f"{self.working} = {self.stated.shown(self.expected)} (off by {off:.1f}x; within "
            f"{TOLERANCE:g}x is accepted)"
        )


def check_estimates(estimates: Estimates) -> list[EstimateCheck]:
    """Recompute every derivable estimate (see :data:`DERIVATIONS`) from the stated inputs.

    Each quantity is recomputed from the *stated* values of its inputs when they are stated (so
    a mistake is flagged where it is made, not again downstream), or from their recomputed values
    when they are not stated. Only stated quantities are checked.
    """
    stated = {name: e.value for name, e in estimates.values.items()}
    known = dict(stated)  # stated values, completed with recomputed ones
    expected: dict[str, tuple[float, str]] = {}

    def derive(name: str, value: float | None, working: str) -> None:
        if value is None:
            return
        expected[name] = (value, working)
        known.setdefault(name, value)

    e = estimates.values

    def show(name: str) -> str:
        if name in e:
            return e[name].shown()
        return _fmt(known[name])

    if {"dau", "requests_per_user"} <= known.keys():
        derive(
            "daily_requests",
            known["dau"] * known["requests_per_user"] / 86400,
            f"dau x requests_per_user = {show('dau')} x {show('requests_per_user')} per day",
        )
    if "daily_requests" in known:
        derive("avg_qps", known["daily_requests"], f"daily_requests / 86,400 s (from {_sd(e)})")
    if {"avg_qps", "peak_factor"} <= known.keys():
        derive(
            "peak_qps",
            known["avg_qps"] * known["peak_factor"],
            f"avg_qps x peak_factor = {_fmt(known['avg_qps'])}/s x {_fmt(known['peak_factor'])}",
        )
    if {"peak_qps", "scale_factor"} <= known.keys():
        derive(
            "target_qps",
            known["peak_qps"] * known["scale_factor"],
            f"peak_qps x scale_factor = {_fmt(known['peak_qps'])}/s x "
            f"{_fmt(known['scale_factor'])}",
        )
    load_name = next((n for n in ("target_qps", "peak_qps") if n in known), None)
    if load_name and "cache_hit_rate" in known:
        derive(
            "backend_qps",
            known[load_name] * (1 - known["cache_hit_rate"]),
            f"{load_name} x (1 - cache_hit_rate) = {_fmt(known[load_name])}/s x "
            f"(1 - {_fmt(known['cache_hit_rate'])})",
        )
    serve_name = next((n for n in ("backend_qps", "target_qps", "peak_qps") if n in known), None)
    utilisation = known.get("utilisation", 1.0)
    if serve_name and "replica_throughput" in known:
        capacity = known["replica_throughput"] * utilisation
        if capacity > 0:
            derive(
                "replicas",
                math.ceil(known[serve_name] / capacity - 1e-9),
                f"ceil({serve_name} / (replica_throughput x utilisation)) = "
                f"ceil({_fmt(known[serve_name])}/s / ({_fmt(known['replica_throughput'])}/s x "
                f"{_fmt(utilisation)}))",
            )
    elif serve_name and {"latency", "concurrency_per_replica"} <= known.keys():
        per_replica = known["concurrency_per_replica"] * utilisation
        if per_replica > 0:
            derive(
                "replicas",
                math.ceil(known[serve_name] * known["latency"] / per_replica - 1e-9),
                f"ceil({serve_name} x latency / (concurrency_per_replica x utilisation)) = "
                f"ceil({_fmt(known[serve_name])}/s x {_fmt(known['latency'])} s / "
                f"({_fmt(known['concurrency_per_replica'])} x {_fmt(utilisation)}))",
            )
    if {"items_per_day", "item_size", "retention"} <= known.keys():
        replication = known.get("replication", 1.0)
        derive(
            "storage",
            known["items_per_day"] * known["item_size"] * known["retention"] * replication,
            f"items_per_day x item_size x retention x replication = {show('items_per_day')} x "
            f"{show('item_size')} x {show('retention')} x {_fmt(replication)}",
        )
    if load_name and "payload_size" in known:
        derive(
            "bandwidth",
            known[load_name] * known["payload_size"],
            f"{load_name} x payload_size x 8 bits = {_fmt(known[load_name])}/s x "
            f"{show('payload_size')} x 8",
        )
    if {"replicas", "cost_per_replica_hour"} <= known.keys():
        derive(
            "monthly_cost",
            known["replicas"] * known["cost_per_replica_hour"] * HOURS_PER_MONTH * 3600,
            f"replicas x cost_per_replica_hour x {HOURS_PER_MONTH} h = {_fmt(known['replicas'])}"
            f" x {show('cost_per_replica_hour')} x {HOURS_PER_MONTH}",
        )
    if {"cost_per_replica_hour", "replica_throughput"} <= known.keys():
        served = known["replica_throughput"] * utilisation
        if served > 0:
            derive(
                "cost_per_million",
                known["cost_per_replica_hour"] / served * 1e6,
                f"cost_per_replica_hour / (replica_throughput x utilisation) x 10^6 = "
                f"{show('cost_per_replica_hour')} / ({_fmt(known['replica_throughput'])}/s x "
                f"{_fmt(utilisation)}) x 10^6",
            )

    checks = []
    for name, (value, working) in expected.items():
        if name not in e:
            continue
        ratio = e[name].value / value if value else (math.inf if e[name].value else 1.0)
        ok = 1 / TOLERANCE <= ratio <= TOLERANCE
        checks.append(EstimateCheck(name, e[name], value, working, ok))
    budgets = {n: v for n, v in e.items() if n.startswith("budget_")}
    if budgets and "latency_slo" in e:
        total = sum(b.value for b in budgets.values())
        slo = e["latency_slo"].value
        working = " + ".join(f"{n.removeprefix('budget_')} {b.shown()}" for n, b in budgets.items())
        checks.append(
            EstimateCheck(
                "latency_slo", e["latency_slo"], total, working, 0.5 * slo <= total <= slo
            )
        )
    return checks


def _sd(e: dict[str, Estimate]) -> str:
    return e["daily_requests"].shown() if "daily_requests" in e else "dau x requests_per_user"


# =============================================================================================
# Rubrics and the judgement
# =============================================================================================
#: The sections of the design template: name -> heading words that also count for it.
DESIGN_SECTIONS: dict[str, tuple[str, ...]] = {
    "requirements": ("clarifying questions", "scope", "slo"),
    "metrics": ("success metrics", "objective", "kpi"),
    "data": ("dataset", "labelling", "labeling", "data pipeline", "ingestion"),
    "features": ("feature engineering", "feature"),
    "model": ("modelling", "modeling", "training", "algorithm"),
    "serving": ("inference", "scoring", "deployment"),
    "evaluation": ("offline evaluation", "validation"),
    "a/b and rollout": ("a/b", "rollout", "roll out", "experimentation", "launch", "canary"),
    "scaling": ("scale", "scalability", "capacity planning"),
    "monitoring": ("observability", "alerting"),
    "failure modes": ("failure", "failures", "fallbacks", "reliability", "what can go wrong"),
    "trade-offs": ("tradeoffs", "trade offs", "alternatives considered"),
}


@dataclass(frozen=True)
class Rubric:
    """What one prompt requires.

    Attributes:
        sections: required section -> heading synonyms (a heading containing any counts).
        concepts: concept -> synonyms, searched in the whole text.
        components: diagram component -> synonyms, searched in node labels and subgraph titles.
        min_section_words: fewer words than this in a section is "thin" (one-liner).
        diagram: whether at least one Mermaid flowchart is required.
    """

    sections: Mapping[str, Sequence[str]] = field(default_factory=dict)
    concepts: Mapping[str, Sequence[str]] = field(default_factory=dict)
    components: Mapping[str, Sequence[str]] = field(default_factory=dict)
    min_section_words: int = 30
    diagram: bool = True


@dataclass(frozen=True)
class Judgement:
    """The judge's findings; :meth:`problems` words them for the learner.

    Attributes:
        sections: required sections found (name -> the heading) and missing.
        thin: sections found but shorter than the rubric's minimum (name -> words written).
        concepts: required concepts found (name -> the synonym seen) and missing.
        diagrams: the Mermaid flowcharts that parsed.
        diagram_errors: one message per Mermaid block that did not parse.
        components: required components found in the diagrams (name -> node label) and missing.
        estimates: the stated estimates.
        checks: each derivable estimate recomputed (see :func:`check_estimates`).
    """

    sections: Checklist
    thin: dict[str, int]
    concepts: Checklist
    diagrams: tuple[Flowchart, ...]
    diagram_errors: tuple[str, ...]
    components: Checklist
    estimates: Estimates
    checks: tuple[EstimateCheck, ...]
    rubric: Rubric

    @property
    def wrong_estimates(self) -> list[EstimateCheck]:
        return [c for c in self.checks if not c.ok]

    def problems(self) -> list[str]:
        """Every finding that needs work, one learner-facing sentence each (empty: all good)."""
        out = []
        for name in self.sections.missing:
            accepted = ", ".join(repr(s) for s in (name, *self.rubric.sections.get(name, ())))
            out.append(f"missing section {name!r} (a level-2 heading containing one of {accepted})")
        for name, count in self.thin.items():
            out.append(
                f"section {self.sections.found[name]!r} has {count} words; write at least "
                f"{self.rubric.min_section_words} (what you decide and why)"
            )
        if self.concepts.missing:
            out.append("concepts never mentioned: " + ", ".join(self.concepts.missing))
        if self.rubric.diagram and not self.diagrams and not self.diagram_errors:
            out.append("no ```mermaid architecture diagram (a flowchart) in the document")
        out += [f"Mermaid diagram does not parse: {e}" for e in self.diagram_errors]
        if self.diagrams and self.components.missing:
            out.append(
                "components not named by any node of the diagram: "
                + ", ".join(self.components.missing)
            )
        out += list(self.estimates.problems)
        out += [check.message() for check in self.wrong_estimates]
        return out


def _match_sections(document: Document, rubric: Rubric) -> tuple[Checklist, dict[str, int]]:
    found: dict[str, str] = {}
    missing: list[str] = []
    thin: dict[str, int] = {}
    for name, synonyms in rubric.sections.items():
        heading = next(
            (h for h in document.sections if _first_match(h, (name, *synonyms)) is not None),
            None,
        )
        if heading is None:
            missing.append(name)
            continue
        found[name] = heading
        count = words(document.sections[heading])
        if count < rubric.min_section_words:
            thin[name] = count
    return Checklist(found, tuple(missing)), thin


def judge(document: Document | str, rubric: Rubric) -> Judgement:
    """Judge a design document against a rubric (see :class:`Judgement`)."""
    if isinstance(document, str):
        document = parse(document)
    sections, thin = _match_sections(document, rubric)
    concepts = find_terms(document.text, rubric.concepts)
    diagrams, errors = [], []
    for number, block in enumerate(document.mermaid(), start=1):
        try:
            diagrams.append(parse_mermaid(block))
        except MermaidError as exc:
            errors.append(f"diagram {number}, {exc}")
    seen = "\n".join(chart.text() for chart in diagrams)
    components = find_terms(seen, rubric.components) if diagrams else Checklist()
    if diagrams:
        components = Checklist(
            {name: _label_with(diagrams, hit) for name, hit in components.found.items()},
            components.missing,
        )
    else:
        components = Checklist({}, tuple(rubric.components))
    estimates = parse_estimates(document.text)
    return Judgement(
        sections=sections,
        thin=thin,
        concepts=concepts,
        diagrams=tuple(diagrams),
        diagram_errors=tuple(errors),
        components=components,
        estimates=estimates,
        checks=tuple(check_estimates(estimates)),
        rubric=rubric,
    )


def _label_with(diagrams: Sequence[Flowchart], synonym: str) -> str:
    for chart in diagrams:
        for label in chart.text().splitlines():
            if _first_match(label, (synonym,)):
                return label
    return synonym


# -- the three design prompts -----------------------------------------------------------------
_COMMON_CONCEPTS: dict[str, tuple[str, ...]] = {
    "p99 latency": ("p99", "p95", "tail latency"),
    "model registry": ("mlflow", "registry"),
    "drift": ("distribution shift", "data drift"),
    "safe rollout": ("canary", "shadow", "champion", "challenger", "blue green"),
}

#: Rubrics of the three Monday prompts, by design name (the file name without ``design_``).
RUBRICS: dict[str, Rubric] = {
    "image_classification": Rubric(
        sections=DESIGN_SECTIONS,
        concepts={
            **_COMMON_CONCEPTS,
            "calibration": ("temperature scaling", "ece", "calibrated"),
            "abstention": ("abstain", "human review", "pharmacist review", "review queue"),
            "dynamic batching": ("batching", "micro batch", "batch"),
            "cache": ("redis", "caching"),
            "quantisation": ("quantization", "int8", "onnx", "distillation"),
            "labelling": ("labeling", "annotation", "label"),
            "field gap": ("field", "domain gap", "studio"),
            "autoscaling": ("hpa", "horizontal pod autoscaler", "autoscaler"),
        },
        components={
            "client": ("app", "pharmacy", "user"),
            "api": ("gateway", "load balancer", "ingress"),
            "cache": ("redis",),
            "model server": ("predictor", "inference", "model service"),
            "object store": ("image store", "s3", "blob", "object storage"),
            "review queue": ("human review", "labelling", "labeling", "pharmacist"),
            "training": ("training pipeline", "trainer"),
            "model registry": ("registry", "mlflow"),
            "monitoring": ("prometheus", "drift monitor", "metrics"),
        },
    ),
    "recommendation": Rubric(
        sections=DESIGN_SECTIONS,
        concepts={
            **_COMMON_CONCEPTS,
            "two-tower": ("two tower", "dual encoder"),
            "ANN index": (
                "ann",
                "approximate nearest neighbour",
                "approximate nearest neighbor",
                "faiss",
                "hnsw",
                "scann",
            ),
            "candidate generation": ("retrieval",),
            "ranking": ("ranker", "learning to rank"),
            "re-ranking": ("reranking", "re ranking", "diversity", "business rules"),
            "feature store": ("feast", "online store"),
            "point-in-time": ("point in time", "time travel"),
            "cold start": ("cold start",),
            "feedback loop": ("position bias", "exploration", "propensity", "propensities"),
            "online experimentation": ("a/b test", "interleaving", "online experiment"),
            "ranking metrics": ("ndcg", "mrr", "mean average precision", "recall"),
        },
        components={
            "api": ("recommendation service", "gateway"),
            "retrieval": ("candidate generation", "candidate retrieval"),
            "ANN index": ("ann", "faiss", "hnsw", "vector index", "nearest neighbour"),
            "ranking service": ("ranker", "ranking"),
            "re-ranking": ("reranking", "re ranker", "business rules", "diversity"),
            "feature store": ("online store", "feast"),
            "event log": ("kafka", "event stream", "broker", "click log", "events"),
            "training": ("training pipeline", "trainer"),
        },
    ),
    "realtime_pipeline": Rubric(
        sections=DESIGN_SECTIONS,
        concepts={
            **_COMMON_CONCEPTS,
            "broker": ("kafka", "redis streams", "kinesis", "pub sub"),
            "windowing": ("window", "tumbling", "sliding", "session window"),
            "late events": ("watermark", "late event", "late arriving", "allowed lateness"),
            "online feature store": ("feature store", "online store"),
            "delivery semantics": ("at least once", "exactly once", "at most once"),
            "idempotency": ("idempotent", "dedup", "deduplication", "deduplicate"),
            "backfill": ("backfills", "replay"),
            "partitioning": ("partition", "partition key"),
            "consumer lag": ("lag",),
            "dead-letter queue": ("dead letter", "dlq"),
            "latency budget": ("budget",),
        },
        components={
            "event source": ("producer", "pharmacy", "source", "events"),
            "broker": ("kafka", "redis streams", "topic", "event log"),
            "stream processor": ("stream processing", "flink", "faust", "consumer", "streaming"),
            "online feature store": ("feature store", "online store"),
            "scoring service": ("scorer", "scoring", "model server", "model service"),
            "action": ("decision", "alert", "case queue", "review queue", "sink"),
            "offline store": ("data lake", "warehouse", "offline store", "object store"),
            "training": ("training pipeline", "trainer"),
        },
    ),
}
