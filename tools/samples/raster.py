"""Raster rendering: clean page, scanner, phone photo."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from samples.common import PAGE_H, PAGE_W
from samples.layout import FAMILIES, Op, font


def render_pages(pages: list[list[Op]], family: str, dpi: int, seed: int, ink: int = 22) -> list[Image.Image]:
    fam = FAMILIES[family]
    scale = dpi / 72
    size = (round(PAGE_W * scale), round(PAGE_H * scale))
    rng = np.random.default_rng(seed)
    images = []
    for ops in pages:
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        for op in ops:
            if op.kind == "text":
                face = font(fam.bold if op.bold else fam.regular, max(6, round(op.size * scale)))
                draw.text((op.x * scale, op.y * scale), op.text, fill=ink, font=face, anchor="ls")
            elif op.kind == "rule":
                draw.line([(op.x * scale, op.y * scale), (op.x2 * scale, op.y * scale)], fill=ink,
                          width=max(1, round(0.7 * scale)))
            elif op.kind == "sig":
                squiggle(draw, op.x * scale, op.y * scale, scale, rng)
        images.append(image)
    return images


def squiggle(draw: ImageDraw.ImageDraw, x0: float, y0: float, scale: float, rng) -> None:
    """A handwritten-looking signature: cursive loops (a prolate cycloid) and an underline."""
    n = 400
    t = np.linspace(0, 1, n)
    k = 2 * np.pi * rng.uniform(4.0, 6.0)
    length = rng.uniform(95, 125) * scale
    r = rng.uniform(5.0, 7.0) * scale * (1 - 0.35 * t) * (1 + 0.25 * np.sin(t * 7 + rng.uniform(0, 6)))
    xs = x0 + t * length - r * np.sin(k * t)
    ys = y0 - 6 * scale - r * np.cos(k * t) * 1.3 + t * rng.uniform(-6, 2) * scale
    draw.line(list(zip(xs.tolist(), ys.tolist())), fill=60, width=max(1, round(1.0 * scale)), joint="curve")
    draw.line([(x0 - 6 * scale, y0 + 5 * scale), (x0 + length * 0.8, y0 + 2 * scale)], fill=60,
              width=max(1, round(0.9 * scale)))


def scan_effect(image: Image.Image, rng, angle: float, paper: int = 244, noise: float = 3.0,
                blur: float = 0.55) -> Image.Image:
    """A flatbed scan: greyish paper, a hair of skew, slight blur, sensor noise."""
    a = np.asarray(image, dtype=np.float32) * (paper / 255.0)
    out = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    out = out.rotate(angle, resample=Image.BICUBIC, fillcolor=paper).filter(ImageFilter.GaussianBlur(blur))
    a = np.asarray(out, dtype=np.float32)
    h, w = a.shape
    a += np.linspace(-3.0, 2.0, w, dtype=np.float32)[None, :]
    a += rng.normal(0, noise, a.shape).astype(np.float32)
    edge = max(4, w // 300)  # the scanner lid's shadow along one side
    a[:, :edge] -= np.linspace(60, 0, edge, dtype=np.float32)[None, :]
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))


def smooth_field(rng, shape: tuple[int, int], cells: tuple[int, int], spread: float) -> np.ndarray:
    """Low-frequency random variation (table texture, uneven light), upsampled from a coarse grid."""
    grid = rng.normal(0, spread, cells).astype(np.float32)
    img = Image.fromarray(((grid + 128).clip(0, 255)).astype(np.uint8)).resize((shape[1], shape[0]), Image.BICUBIC)
    return np.asarray(img, dtype=np.float32) - 128


def photo_effect(page: Image.Image, rng, angle: float, colour: bool, light_from: str = "tl",
                 table=(112, 98, 84), noise: float = 3.5, step: int = 1) -> Image.Image:
    """step > 1 posterises the grey output (a PNG of a noisy photo is otherwise huge)."""
    w, h = page.size
    mx, my = int(w * 0.075), int(h * 0.05)
    W, H = w + 2 * mx, h + 2 * my
    paper = Image.fromarray((np.asarray(page, dtype=np.float32) * (238 / 255)).astype(np.uint8))
    mask = Image.new("L", page.size, 255)
    paper = paper.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=0)
    mask = mask.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=0)
    ox = (W - paper.width) // 2 + int(rng.integers(-mx // 3, mx // 3))
    oy = (H - paper.height) // 2 + int(rng.integers(-my // 3, my // 3))
    base = np.full((H, W), float(np.mean(table)), dtype=np.float32) + smooth_field(rng, (H, W), (9, 7), 9)
    canvas = Image.fromarray(base.clip(0, 255).astype(np.uint8))
    shadow = Image.new("L", (W, H), 0)
    shadow.paste(mask, (ox + 7, oy + 10))
    shadow = shadow.filter(ImageFilter.GaussianBlur(12))
    c = np.asarray(canvas, dtype=np.float32) * (1 - 0.45 * np.asarray(shadow, dtype=np.float32) / 255)
    canvas = Image.fromarray(c.clip(0, 255).astype(np.uint8))
    canvas.paste(paper, (ox, oy), mask)
    a = np.asarray(canvas, dtype=np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    u, v = xx / W, yy / H
    if light_from == "tl":
        light = 1.03 - 0.22 * (0.65 * u + 0.35 * v)
    elif light_from == "tr":
        light = 1.03 - 0.22 * (0.65 * (1 - u) + 0.35 * v)
    else:
        light = 1.02 - 0.2 * (0.3 * u + 0.7 * v)
    light -= 0.10 * ((u - 0.5) ** 2 + (v - 0.5) ** 2)  # vignette
    light += smooth_field(rng, (H, W), (5, 4), 6) / 255
    a = a * light
    out = Image.fromarray(a.clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
    a = np.asarray(out, dtype=np.float32)
    if not colour:
        a += rng.normal(0, noise, a.shape).astype(np.float32)
        a = np.floor(a / step) * step + step // 2
        return Image.fromarray(a.clip(0, 255).astype(np.uint8))
    tint = np.array([1.0, 0.965, 0.90], dtype=np.float32)  # warm indoor light
    rgb = a[..., None] * tint[None, None, :] + rng.normal(0, noise, (H, W, 3)).astype(np.float32)
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8), "RGB")


def jpeg_bytes(image: Image.Image, quality: int, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def png_bytes(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()
