"""The medication catalogue: what each synthetic pill class looks like.

Each :class:`Medication` describes one class of the synthetic data set by the visual features a
pharmacist uses to identify a tablet or capsule: shape, colour(s), imprint and score line. The
catalogue is designed so that no two classes differ only by their imprint (tiny at 64 px): within
each family of similar outlines (round-ish, elongated, pointed) every class has its own colour or
colour pair, and the colours stay apart under the colour casts of the "field" split.

Label ``i`` is ``CATALOGUE[i]`` and ``CLASS_NAMES[i]``; the order is part of the public contract
(trained checkpoints store labels as integers), so only ever append new medications.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOGUE", "CLASS_NAMES", "COLORS", "SHAPES", "Medication"]

RGB = tuple[int, int, int]

#: The outlines the renderer can draw.
SHAPES: tuple[str, ...] = (
    "round",
    "oval",
    "capsule",
    "oblong",
    "triangle",
    "diamond",
    "hexagon",
    "pentagon",
    "square",
)

#: Named tablet colours, chosen far apart in RGB so they survive lighting and colour casts.
COLORS: dict[str, RGB] = {
    "white": (238, 238, 232),
    "yellow": (242, 212, 58),
    "orange": (238, 128, 36),
    "pink": (244, 156, 190),
    "red": (196, 34, 40),
    "blue": (42, 84, 196),
    "light_blue": (132, 188, 236),
    "green": (62, 158, 76),
    "brown": (128, 80, 44),
    "purple": (124, 64, 160),
}


@dataclass(frozen=True)
class Medication:
    """One pill class: a medication and strength with a fixed appearance.

    Attributes:
        name: Unique identifier, ``<generic name>_<strength>``, e.g. ``"metformin_500"``.
        shape: One of :data:`SHAPES`.
        colors: One RGB colour, or two for a two-tone capsule (cap, body).
        imprint: Short debossed or printed text, e.g. ``"M 500"``. On scored tablets the part
            before the first space goes left of the score line and the rest right of it.
        score: Whether a score (break) line runs across the tablet.
        size: Length of the pill's longest side relative to the frame, about 0.5 to 0.8.
    """

    name: str
    shape: str
    colors: tuple[RGB, ...]
    imprint: str
    score: bool
    size: float

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"{self.name}: shape {self.shape!r} is not one of {SHAPES}")
        if not 1 <= len(self.colors) <= 2:
            raise ValueError(f"{self.name}: give one colour, or two for a two-tone capsule")
        if len(self.colors) == 2 and self.shape != "capsule":
            raise ValueError(f"{self.name}: only capsules are two-tone")
        if not 0.3 <= self.size <= 0.9:
            raise ValueError(f"{self.name}: size {self.size} is outside 0.3..0.9 of the frame")


def _med(name: str, shape: str, colors: str, imprint: str, score: bool, size: float) -> Medication:
    """Build a catalogue entry from colour names separated by ``/`` (``"red/yellow"``)."""
    rgb = tuple(COLORS[c] for c in colors.split("/"))
    return Medication(name, shape, rgb, imprint, score, size)


#: Every class, in label order. Grouped here by outline family for review; the order is final.
CATALOGUE: tuple[Medication, ...] = (
    # round-ish tablets: each has its own colour
    _med("metformin_500", "round", "white", "M 500", True, 0.62),
    _med("lisinopril_10", "round", "pink", "L 10", False, 0.52),
    _med("levothyroxine_100", "round", "yellow", "T 100", True, 0.55),
    _med("warfarin_4", "round", "blue", "W 4", True, 0.54),
    _med("prednisone_20", "round", "orange", "P 20", True, 0.58),
    _med("amlodipine_10", "hexagon", "green", "AM 10", False, 0.60),
    _med("escitalopram_10", "hexagon", "light_blue", "E 10", True, 0.58),
    _med("montelukast_10", "square", "brown", "ML 10", False, 0.56),
    _med("quetiapine_100", "pentagon", "red", "Q 100", False, 0.62),
    _med("clopidogrel_75", "pentagon", "purple", "C 75", False, 0.58),
    # elongated tablets and capsules: each has its own colour or colour pair
    _med("atorvastatin_20", "oval", "white", "PD 20", False, 0.70),
    _med("simvastatin_40", "oval", "red", "S 40", False, 0.66),
    _med("losartan_50", "oval", "green", "L 50", False, 0.68),
    _med("ibuprofen_200", "oblong", "brown", "I 200", False, 0.76),
    _med("sertraline_50", "oblong", "blue", "S 50", True, 0.74),
    _med("metoprolol_25", "oblong", "pink", "M 25", True, 0.70),
    _med("omeprazole_20", "capsule", "purple/pink", "OME 20", False, 0.78),
    _med("amoxicillin_500", "capsule", "red/yellow", "AMOX 500", False, 0.80),
    _med("fluoxetine_20", "capsule", "green/white", "F 20", False, 0.74),
    _med("doxycycline_100", "capsule", "blue/white", "D 100", False, 0.76),
    _med("gabapentin_300", "capsule", "yellow", "G 300", False, 0.76),
    # pointed tablets
    _med("sildenafil_50", "diamond", "blue", "VGR 50", False, 0.66),
    _med("risperidone_2", "diamond", "orange", "R 2", False, 0.62),
    _med("hydroxyzine_25", "triangle", "green", "H 25", False, 0.64),
    _med("ondansetron_8", "triangle", "yellow", "ON 8", False, 0.62),
    _med("clonazepam_1", "triangle", "purple", "K 1", True, 0.60),
)

#: Class names in label order: ``CLASS_NAMES[i] == CATALOGUE[i].name``.
CLASS_NAMES: tuple[str, ...] = tuple(m.name for m in CATALOGUE)
