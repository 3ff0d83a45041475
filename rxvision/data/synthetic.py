"""Deterministic synthetic pill photographs.

A pill is drawn once per medication and resolution as a flat, supersampled sprite (outline,
colour(s), score line, imprint; see :func:`_sprite`). Each sample then places that sprite in a
scene with one perspective transform (rotation, scale and translation jitter, plus tilt in the
"field" split), downsamples it with premultiplied alpha for anti-aliasing, and photographs it:
background, contact shadow, dome shading and highlight, lighting gradient, exposure and colour
cast, blur, sensor noise.

Two splits measure the lab-to-real-world gap:

- ``"studio"``: plain neutral backgrounds, soft even light, mild blur and noise (like the NIH
  C3PI reference photographs).
- ``"field"``: textured and cluttered surfaces (wood, fabric, stone, printed leaflets, stray
  objects), tilted camera (perspective), strong light gradients and colour casts, specular glare
  spots, heavier blur and noise, and JPEG compression (like a phone photo on a kitchen table).

Everything random comes from the ``rng`` passed in; :func:`generate` derives one generator per
sample from ``(seed, split, subset, class, index)`` with :class:`numpy.random.SeedSequence`, so
identical arguments give byte-identical arrays and the first ``k`` samples of a class never
depend on how many samples were asked for.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from rxvision.data.catalogue import CATALOGUE, Medication

__all__ = ["SPLITS", "SUBSETS", "generate", "render_pill", "sample_seed"]

#: Photographic conditions: ``"studio"`` (reference photos) and ``"field"`` (phone photos).
SPLITS: tuple[str, ...] = ("studio", "field")
#: Disjoint sample streams of one split; ``None`` in :func:`generate` is a fourth, default stream.
SUBSETS: tuple[str, ...] = ("train", "val", "test")

_SUPERSAMPLE = 2  # sprites are drawn and warped at 2x the output size, then box-downsampled
_MIN_SIZE = 16
_INK = np.array([38, 36, 40], dtype=np.uint8)  # printed imprint on capsules


def _check_split(split: str) -> int:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return SPLITS.index(split)


def _check_size(size: int) -> None:
    if not isinstance(size, int) or size < _MIN_SIZE:
        raise ValueError(f"size must be an int >= {_MIN_SIZE}, got {size!r}")


# --------------------------------------------------------------------------- the pill sprite


def _polygon(n: int, radius: float, cx: float, cy: float, phase: float) -> list[tuple[float, ...]]:
    """Vertices of a regular ``n``-gon."""
    return [
        (cx + radius * math.cos(phase + 2 * math.pi * k / n),
         cy + radius * math.sin(phase + 2 * math.pi * k / n))
        for k in range(n)
    ]  # fmt: skip


def _outline(shape: str, length: float, c: float) -> tuple[list[tuple[float, ...]] | None, float]:
    """The polygon of a pointed shape (``None`` for curved ones) and the pill's short side."""
    r = length / 2
    if shape == "triangle":  # equilateral, side = length, pointing up
        rc = length / math.sqrt(3)
        return _polygon(3, rc, c, c + rc / 4, -math.pi / 2), length * math.sqrt(3) / 2
    if shape == "diamond":
        h = 0.68 * length
        return [(c - r, c), (c, c - h / 2), (c + r, c), (c, c + h / 2)], h
    if shape == "hexagon":
        return _polygon(6, r, c, c, 0.0), r * math.sqrt(3)
    if shape == "pentagon":
        return _polygon(5, r, c, c + r * 0.1, -math.pi / 2), r * (1 + math.cos(math.pi / 5))
    ratios = {"round": 1.0, "square": 0.999, "oval": 0.56, "oblong": 0.44, "capsule": 0.40}
    return None, ratios[shape] * length


@lru_cache(maxsize=32)
def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=px)


def _fit_font(draw: ImageDraw.ImageDraw, text: str, width: float, height: float) -> ImageFont:
    """The largest default font (<= ``height`` px) whose rendering of ``text`` fits ``width``."""
    px = max(4, int(height))
    while px > 4:
        left, _, right, _ = draw.textbbox((0, 0), text, font=_font(px))
        if right - left <= width:
            break
        px -= 1
    return _font(px)


@lru_cache(maxsize=256)
def _sprite(med: Medication, canvas: int) -> Image.Image:
    """The flat, unrotated pill centred on a transparent ``canvas`` x ``canvas`` RGBa image.

    Cached: it depends only on the medication and the resolution, never on randomness.
    """
    c = canvas / 2
    length = med.size * canvas
    poly, short = _outline(med.shape, length, c)
    half_l, half_s = length / 2, short / 2
    box = (c - half_l, c - half_s, c + half_l, c + half_s)

    mask = Image.new("L", (canvas, canvas), 0)
    m = ImageDraw.Draw(mask)
    if med.shape in ("round", "oval"):
        m.ellipse(box, fill=255)
    elif med.shape == "capsule":
        m.rounded_rectangle(box, radius=half_s, fill=255)
    elif med.shape == "oblong":
        m.rounded_rectangle(box, radius=0.55 * half_s, fill=255)
    elif med.shape == "square":
        m.rounded_rectangle(box, radius=0.18 * length, fill=255)
    else:  # sharp polygon, corners rounded by blur + threshold (a morphological opening)
        m.polygon(poly, fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(0.035 * length))
        mask = mask.point(lambda v: 255 if v >= 128 else 0)

    base = np.array(med.colors[0], dtype=np.float32)
    rgb = Image.new("RGB", (canvas, canvas), med.colors[0])
    d = ImageDraw.Draw(rgb)
    if len(med.colors) == 2:  # two-tone capsule: the cap (left) is a little shorter
        seam = c - 0.06 * length
        d.rectangle((seam, 0, canvas, canvas), fill=med.colors[1])
        dark = tuple(int(v) for v in 0.7 * np.minimum(base, med.colors[1]))
        d.line((seam, 0, seam, canvas), fill=dark, width=max(1, round(canvas / 160)))

    if med.shape == "capsule":
        ink = tuple(int(v) for v in _INK)
    else:  # debossed: darker than the tablet
        ink = tuple(int(v) for v in 0.55 * base)
    if med.score:
        groove = tuple(int(v) for v in 0.5 * base)
        d.line((c, c - half_s, c, c + half_s), fill=groove, width=max(2, round(0.028 * canvas)))
        left, _, right = med.imprint.partition(" ")
        parts = [(left, c - half_l / 2), (right or left, c + half_l / 2)]
        span = 0.62 * half_l
    else:
        parts = [(med.imprint, c)]
        span = 1.45 * half_l if med.shape == "capsule" else 1.25 * half_l
    if med.shape == "triangle":  # text sits in the triangle's wide lower half
        span *= 0.7
    text_h = min(0.42 * short, 0.2 * length)
    ty = c + (0.12 * short if med.shape == "triangle" else 0.0)
    for text, x in parts:
        font = _fit_font(d, text, span, text_h)
        d.text((x, ty), text, fill=ink, font=font, anchor="mm")

    sprite = rgb.convert("RGBA")
    sprite.putalpha(mask)
    return sprite.convert("RGBa")  # premultiplied, so resampling blends edges correctly


# --------------------------------------------------------------------------- scene helpers


def _lowfreq(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth random field of roughly unit amplitude: a ``cells`` x ``cells`` grid upsampled."""
    grid = rng.standard_normal((cells, cells)).astype(np.float32)
    return np.asarray(Image.fromarray(grid).resize((size, size), Image.Resampling.BICUBIC))


def _blur(a: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian blur of a float image in [0, 1] of shape (H, W) or (H, W, 3), via Pillow."""
    u8 = np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out = Image.fromarray(u8).filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(out, dtype=np.float32) / 255.0


def _shift(a: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Translate a 2-D array by whole pixels, filling with zeros (no wrap-around)."""
    out = np.zeros_like(a)
    h, w = a.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = a[ys, xs]
    return out


def _random_color(rng: np.random.Generator, lo: float, hi: float, sat: float) -> np.ndarray:
    """A colour of lightness in [lo, hi] with per-channel deviations up to ``sat``."""
    grey = rng.uniform(lo, hi)
    return np.clip(grey + rng.uniform(-sat, sat, 3), 0.0, 1.0).astype(np.float32)


def _studio_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A plain, nearly neutral photo backdrop with a faint smooth unevenness."""
    color = _random_color(rng, 0.30, 0.70, 0.03)
    return color + 0.02 * _lowfreq(rng, size, 3)[..., None]


def _field_background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A textured household surface: wood, fabric, stone or a printed leaflet."""
    yy, xx = _grid(size)
    kind = rng.integers(4)
    if kind == 0:  # wood grain
        color = np.array([0.55, 0.36, 0.2], np.float32) * rng.uniform(0.6, 1.5)
        color += rng.uniform(-0.06, 0.06, 3).astype(np.float32)
        angle = rng.uniform(0, math.pi)
        u = xx * math.cos(angle) + yy * math.sin(angle)
        grain = np.sin(2 * math.pi * rng.uniform(4, 12) * u + 2.5 * _lowfreq(rng, size, 4))
        tex = 0.12 * grain + 0.05 * _lowfreq(rng, size, 6)
    elif kind == 1:  # woven fabric / tablecloth: stripes or checks
        color = _random_color(rng, 0.25, 0.85, 0.3)
        f = rng.uniform(3, 9)
        sx = np.sign(np.sin(2 * math.pi * f * xx + rng.uniform(0, 6)))
        sy = np.sign(np.sin(2 * math.pi * f * yy + rng.uniform(0, 6)))
        tex = 0.06 * sx + (0.06 * sy if rng.random() < 0.6 else 0.0)
        tex = tex + 0.04 * rng.standard_normal((size, size)).astype(np.float32)
    elif kind == 2:  # stone / laminate counter with speckles
        color = _random_color(rng, 0.2, 0.8, 0.12)
        speck = rng.standard_normal((size, size)).astype(np.float32)
        tex = 0.08 * np.clip(speck, -2.5, 2.5) + 0.08 * _lowfreq(rng, size, 5)
    else:  # printed leaflet: pale paper, lines of dark "text"
        color = _random_color(rng, 0.72, 0.95, 0.04)
        tex = 0.03 * _lowfreq(rng, size, 4)
        pitch = rng.uniform(0.06, 0.11)
        rows = (np.mod(yy + rng.uniform(0, 1), pitch) < pitch * 0.38).astype(np.float32)
        words = (np.sin(2 * math.pi * 9 * xx + 3 * _lowfreq(rng, size, 8)) > -0.3).astype(
            np.float32
        )
        tex = tex - rng.uniform(0.25, 0.55) * rows * words
    bg = np.clip(color + tex[..., None], 0.0, 1.0)
    return _clutter(rng, bg)


def _clutter(rng: np.random.Generator, bg: np.ndarray) -> np.ndarray:
    """Stray objects on the table: shapes entering from the edges, cables, table edges.

    Objects are drawn part-transparent (in shadow, out of focus, glossy) so that they clutter the
    scene without competing with the pill, which always lies near the centre.
    """
    size = bg.shape[0]
    img = Image.fromarray(np.clip(bg * 255 + 0.5, 0, 255).astype(np.uint8)).convert("RGBA")
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    for _ in range(rng.integers(0, 4)):
        rgb = tuple(int(v) for v in 255 * _random_color(rng, 0.1, 0.9, 0.25))
        color = (*rgb, int(255 * rng.uniform(0.35, 0.85)))
        kind = rng.integers(3)
        if kind < 2:  # an object whose centre lies near the border
            side = rng.integers(4)
            along, depth = rng.uniform(0, size), rng.uniform(-0.12, 0.08) * size
            cx, cy = [(along, depth), (along, size - depth), (depth, along), (size - depth, along)][
                side
            ]
            r = rng.uniform(0.12, 0.28) * size
            shape_box = (cx - r, cy - r * rng.uniform(0.5, 1.0), cx + r, cy + r)
            if kind == 0:
                d.ellipse(shape_box, fill=color)
            else:
                d.rectangle(shape_box, fill=color)
        else:  # a cable or a table edge crossing the frame
            p = rng.uniform(0, size, 4)
            d.line(tuple(p), fill=color, width=int(rng.integers(1, max(2, size // 16))))
    img = Image.alpha_composite(img, overlay).convert("RGB")
    return np.asarray(img, dtype=np.float32) / 255.0


def _homography(
    rng: np.random.Generator, canvas: int, field: bool
) -> tuple[np.ndarray, tuple[float, float]]:
    """Output-to-sprite perspective coefficients for Pillow, and the pill's centre in the output.

    The forward map (sprite -> photo) is: centre, scale, rotate, optionally squash along a random
    axis and tilt (perspective), then translate.
    """
    c = canvas / 2
    theta = rng.uniform(0, 2 * math.pi)
    s = rng.uniform(0.88, 1.1) if field else rng.uniform(0.92, 1.08)
    shift = (0.08 if field else 0.06) * canvas
    tx, ty = rng.uniform(-shift, shift, 2)
    cos, sin = math.cos(theta), math.sin(theta)
    forward = np.array([[s * cos, -s * sin, 0], [s * sin, s * cos, 0], [0, 0, 1]])
    if field:
        phi = rng.uniform(0, math.pi)
        squash = rng.uniform(0.88, 1.0)  # camera tilt foreshortens one axis
        u = np.array([math.cos(phi), math.sin(phi)])
        a2 = np.eye(3)
        a2[:2, :2] = np.eye(2) + (squash - 1) * np.outer(u, u)
        tilt = rng.uniform(0.1, 0.3) / c
        psi = rng.uniform(0, 2 * math.pi)
        persp = np.eye(3)
        persp[2, :2] = tilt * math.cos(psi), tilt * math.sin(psi)
        forward = persp @ a2 @ forward
    to_centre = np.array([[1, 0, -c], [0, 1, -c], [0, 0, 1]])
    back = np.array([[1, 0, c + tx], [0, 1, c + ty], [0, 0, 1]])
    forward = back @ forward @ to_centre
    inverse = np.linalg.inv(forward)
    inverse /= inverse[2, 2]
    return inverse.ravel()[:8], (c + tx, c + ty)


def _gaussian_spot(size: int, cx: float, cy: float, sigma: float) -> np.ndarray:
    """An isotropic Gaussian bump of height 1 at pixel ``(cx, cy)`` (separable, so cheap)."""
    t = np.arange(size, dtype=np.float32)
    gx = np.exp(-((t - cx) ** 2) / (2 * sigma**2))
    gy = np.exp(-((t - cy) ** 2) / (2 * sigma**2))
    return gy[:, None] * gx[None, :]


@lru_cache(maxsize=8)
def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Read-only ``(y, x)`` pixel coordinates divided by ``size``, each of shape (size, size)."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    yy.flags.writeable = False
    xx.flags.writeable = False
    return yy, xx


# --------------------------------------------------------------------------- public API


def render_pill(
    med: Medication, *, rng: np.random.Generator, split: str = "studio", size: int = 64
) -> Image.Image:
    """Photograph one pill under random conditions of ``split``.

    Args:
        med: The medication to draw.
        rng: Source of every random choice; the same generator state gives the same image.
        split: ``"studio"`` or ``"field"`` (see the module docstring).
        size: Output side length in pixels (at least 16).

    Returns:
        An RGB image of ``size`` x ``size`` pixels.

    Raises:
        ValueError: For an unknown split or a size below 16.
    """
    field = _check_split(split) == 1
    _check_size(size)
    ss = _SUPERSAMPLE
    canvas = size * ss
    px = size / 64  # pixel-size parameters below are tuned at 64 px and scale with the output

    # geometry: one resampling of the premultiplied sprite, then a box filter down to `size`
    coeffs, (pcx, pcy) = _homography(rng, canvas, field)
    warped = _sprite(med, canvas).transform(
        (canvas, canvas),
        Image.Transform.PERSPECTIVE,
        tuple(coeffs),
        resample=Image.Resampling.BILINEAR,
    )
    rgba = np.asarray(warped.reduce(ss), dtype=np.float32) / 255.0
    pill, alpha = rgba[..., :3], rgba[..., 3]
    pcx, pcy = pcx / ss, pcy / ss
    length = med.size * size

    # scene: surface, contact shadow, the pill with dome shading and a soft highlight
    bg = _field_background(rng, size) if field else _studio_background(rng, size)
    light = rng.uniform(0, 2 * math.pi)  # direction the light comes from
    lx, ly = math.cos(light), math.sin(light)
    offset = rng.uniform(0.03, 0.07 if field else 0.045) * size
    shadow = _shift(alpha, round(-lx * offset), round(-ly * offset))
    shadow = _blur(shadow, rng.uniform(1.0, 2.5) * px)
    bg = bg * (1 - rng.uniform(0.3, 0.6 if field else 0.45) * shadow[..., None])
    dome = _blur(alpha, 0.045 * size)
    shade = 0.6 + 0.4 * np.sqrt(np.clip(dome * 1.15, 0, 1))
    highlight = _gaussian_spot(
        size, pcx + 0.18 * length * lx, pcy + 0.18 * length * ly, 0.2 * length
    )
    img = bg * (1 - alpha[..., None]) + pill * shade[..., None]
    img += (rng.uniform(0.08, 0.2) * highlight * alpha)[..., None]

    # light: gradient towards the light, vignette, exposure and colour cast
    yy, xx = (g - 0.5 for g in _grid(size))
    grad = rng.uniform(0.15, 0.4) if field else rng.uniform(0.03, 0.15)
    vign = rng.uniform(0.1, 0.4) if field else rng.uniform(0.0, 0.1)
    gain = 1 + grad * (xx * lx + yy * ly) - vign * (xx**2 + yy**2)
    if field:
        temp = rng.uniform(-0.1, 0.1)  # warm (tungsten) to cool (daylight/shade)
        cast = np.array([1 + temp, 1.0, 1 - temp]) * (1 + rng.normal(0, 0.03, 3))
        exposure = rng.uniform(0.8, 1.15)
    else:
        cast = 1 + rng.normal(0, 0.015, 3)
        exposure = rng.uniform(0.95, 1.06)
    img = img * (gain[..., None] * (exposure * cast).astype(np.float32))

    # glare: sharp specular spots on the glossy coating
    if field:
        for _ in range(rng.integers(1, 4)):
            gx = pcx + rng.uniform(-0.3, 0.3) * length
            gy = pcy + rng.uniform(-0.3, 0.3) * length
            spot = _gaussian_spot(size, gx, gy, rng.uniform(0.8, 2.2) * px)
            img += (rng.uniform(0.5, 1.0) * spot * alpha)[..., None]

    # optics and sensor: blur, noise, and JPEG compression in the field
    img = np.clip(img, 0.0, 1.0)
    img = _blur(img, (rng.uniform(0.35, 0.85) if field else rng.uniform(0.0, 0.5)) * px)
    sigma = rng.uniform(0.015, 0.035) if field else rng.uniform(0.004, 0.014)
    noise = rng.standard_normal((size, size, 3)).astype(np.float32)
    if field:  # luminance noise is partly shared across channels
        noise = 0.6 * noise + 0.8 * noise.mean(axis=2, keepdims=True)
    img = img + sigma * noise
    out = Image.fromarray(np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8))
    if field:
        buffer = io.BytesIO()
        out.save(buffer, format="JPEG", quality=int(rng.integers(40, 86)))
        out = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return out


def sample_seed(
    seed: int, split: str, subset: str | None, label: int, index: int
) -> np.random.SeedSequence:
    """The seed of one sample, derived from everything that identifies it.

    Args:
        seed: The user's seed (a non-negative int).
        split: ``"studio"`` or ``"field"``.
        subset: ``"train"``, ``"val"``, ``"test"`` or ``None`` (the default stream of
            :func:`generate`); each is an independent stream.
        label: Class index into the catalogue.
        index: Sample number within the class.

    Raises:
        ValueError: For a negative seed, unknown split or unknown subset.
    """
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if subset is not None and subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS} or None, got {subset!r}")
    stream = 0 if subset is None else 1 + SUBSETS.index(subset)
    return np.random.SeedSequence([int(seed), _check_split(split), stream, label, index])


def generate(
    split: str = "studio",
    *,
    samples_per_class: int = 50,
    size: int = 64,
    seed: int = 0,
    subset: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Render a class-balanced set of pill photographs.

    Samples are interleaved by class (labels ``0, 1, ..., C-1, 0, 1, ...``), so the first
    ``k * C`` samples equal ``generate(..., samples_per_class=k)``.

    Args:
        split: ``"studio"`` or ``"field"``.
        samples_per_class: Number of images per medication.
        size: Image side length in pixels (at least 16).
        seed: Base seed; together with split, subset, class and index it fixes every sample.
        subset: ``"train"``, ``"val"``, ``"test"`` for the disjoint streams used by
            :class:`~rxvision.data.PillDataset`, or ``None`` for a stream of its own.

    Returns:
        ``(images, labels)``: uint8 array ``(N, size, size, 3)`` and int64 array ``(N,)`` with
        ``N = samples_per_class * len(CATALOGUE)``.

    Raises:
        ValueError: For an unknown split or subset, a negative seed or count, or a bad size.
    """
    _check_split(split)
    _check_size(size)
    if not isinstance(samples_per_class, int) or samples_per_class < 0:
        raise ValueError(f"samples_per_class must be an int >= 0, got {samples_per_class!r}")
    n_classes = len(CATALOGUE)
    n = samples_per_class * n_classes
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    labels = np.empty(n, dtype=np.int64)
    for k in range(n):
        index, label = divmod(k, n_classes)
        rng = np.random.Generator(np.random.PCG64(sample_seed(seed, split, subset, label, index)))
        images[k] = np.asarray(render_pill(CATALOGUE[label], rng=rng, split=split, size=size))
        labels[k] = label
    return images, labels
