"""Mermaid flowcharts: parse the diagrams of written answers, in Python or with Mermaid itself.

:func:`parse_mermaid` is a small parser for the flowchart subset used in design answers
(``graph``/``flowchart`` with a direction; nodes with ``[] () {} [()] ([]) [[]] (()) {{}} >]``
labels; edges ``--> --- -.-> -.- ==> ===`` with ``|labels|`` or ``-- text -->``; ``&``; chains;
subgraphs). It needs nothing but Python and returns a :class:`Flowchart` (its :class:`Node`,
:class:`Edge` and :class:`Subgraph` objects), or raises :class:`MermaidError` with the line of
anything Mermaid would refuse. :class:`NodeMermaid` runs the real Mermaid parser (``mermaid`` from
npm under ``jsdom``, installed into a cache directory) where Node.js exists; the grader's own tests
cross-check the two. :mod:`grader.design_judge` uses the parser to judge design diagrams.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Edge",
    "Flowchart",
    "MermaidError",
    "Node",
    "NodeMermaid",
    "Subgraph",
    "parse_mermaid",
]


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
