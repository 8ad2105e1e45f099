"""Drawing helpers shared by the scenes: theme, text, panels, buttons, camera view, skeletons, charts.

Everything sizes itself from the surface (``Layout``), so any window size works. Nothing here
changes game state; ``Menu`` holds only which item is focused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pygame

from game.input import Action, InputEvent
from game.pose.types import LM, SKELETON_EDGES

# -- theme ---------------------------------------------------------------------------------
BG = (14, 17, 26)
BG2 = (24, 29, 43)
PANEL = (20, 24, 36)
INK = (236, 240, 247)
MUTED = (150, 160, 182)
ACCENT = (255, 184, 28)  # ringside gold
RED = (240, 68, 72)
BLUE = (64, 156, 255)
GREEN = (58, 206, 122)
ORANGE = (255, 140, 50)
CYAN = (40, 220, 235)
BONE = (235, 245, 255)

LEFT_COLOR = BLUE  # the player's left side, everywhere
RIGHT_COLOR = RED


_FONTS: dict[tuple[int, bool], pygame.font.Font] = {}


def font(px: int, bold: bool = False) -> pygame.font.Font:
    """The game font (pygame's bundled sans) at ``px`` pixels."""
    key = (int(px), bold)
    f = _FONTS.get(key)
    if f is None:
        if not pygame.font.get_init():
            pygame.font.init()
        f = pygame.font.Font(None, max(10, int(px * 1.35)))
        f.set_bold(bold)
        if len(_FONTS) > 128:
            _FONTS.clear()
        _FONTS[key] = f
    return f


def clear_caches() -> None:
    """Drop cached fonts and surfaces; call before ``pygame.quit()`` (they die with it)."""
    _FONTS.clear()
    _TEXTS.clear()
    _gradient.cache_clear()
    _panel_surface.cache_clear()
    _shade.cache_clear()


@dataclass(frozen=True, slots=True)
class Layout:
    """Sizes derived from the surface, so scenes lay out the same at any resolution."""

    w: int
    h: int

    @classmethod
    def of(cls, surface: pygame.Surface) -> Layout:
        return cls(*surface.get_size())

    @property
    def u(self) -> float:
        """One layout unit: 1/100 of the smaller of (height, width * 9/16)."""
        return min(self.h, self.w * 9 / 16) / 100.0

    def px(self, units: float) -> int:
        return max(1, int(round(units * self.u)))


# -- what was drawn where (the layout, size and contrast checks read this) --------------------
ROLES = ("primary", "secondary", "label")  # count/score/timer/current cue; other HUD text; in-world


@dataclass(frozen=True, slots=True)
class TextBox:
    """One line of text as drawn: its rect, its size as drawn (after any shrink to fit), its
    colour, the mean colour under it just before it was drawn, and its role."""

    text: str
    rect: pygame.Rect
    size_px: float
    color: tuple[int, int, int]
    background: tuple[int, int, int]
    role: str


@dataclass(frozen=True, slots=True)
class MessageBox:
    """A message panel (toast, banner) as drawn: nothing else may show through it."""

    text: str
    rect: pygame.Rect


@dataclass
class DrawnBoxes:
    texts: list[TextBox] = field(default_factory=list)
    messages: list[MessageBox] = field(default_factory=list)


_RECORDING: list[DrawnBoxes] = []


@contextmanager
def record_boxes() -> Iterator[DrawnBoxes]:
    """Record every text line and message panel drawn inside the block (tests; costs a colour
    average per line, so the game never records)."""
    boxes = DrawnBoxes()
    _RECORDING.append(boxes)
    try:
        yield boxes
    finally:
        _RECORDING.remove(boxes)


def note_message(s: str, rect: pygame.Rect) -> None:
    """Record a message panel (see :func:`record_boxes`)."""
    for rec in _RECORDING:
        rec.messages.append(MessageBox(s, pygame.Rect(rect)))


def text(surface: pygame.Surface, s: str, pos: tuple[float, float], size: int,
         color: tuple[int, int, int] = INK, *, anchor: str = "topleft", bold: bool = False,
         shadow: bool = True, max_width: int | None = None, role: str = "secondary") -> pygame.Rect:
    """Draw one line of text; shrinks it to ``max_width``; returns the rect drawn.

    ``role``: "primary" (the count, score, timer, current cue: >= 4 % of the screen height),
    "secondary" (other HUD text: >= 2.5 %), "label" (words on a target or effect in the scene)."""
    img, sh = _rendered(s, size, color, bold, shadow, max_width)
    rect = img.get_rect(**{anchor: (int(pos[0]), int(pos[1]))})
    if _RECORDING and s.strip():
        natural = font(size, bold).size(s)[0]
        shrink = img.get_width() / natural if natural > 0 else 1.0
        area = rect.clip(surface.get_rect())
        bg = tuple(pygame.transform.average_color(surface, area)[:3]) if area.width and \
            area.height else (0, 0, 0)
        for rec in _RECORDING:
            rec.texts.append(TextBox(s, pygame.Rect(rect), size * min(1.0, shrink), color,
                                     bg, role))  # type: ignore[arg-type]
    if sh is not None:
        surface.blit(sh, rect.move(2, 2))
    surface.blit(img, rect)
    return rect


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def lin(c: float) -> float:
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(float(v)) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio (1-21) between two colours; text needs >= 4.5."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_TEXTS: dict[tuple[object, ...], tuple[pygame.Surface, pygame.Surface | None]] = {}


def _rendered(s: str, size: int, color: tuple[int, int, int], bold: bool, shadow: bool,
              max_width: int | None) -> tuple[pygame.Surface, pygame.Surface | None]:
    """Rendered text (and its drop shadow), cached: most labels are the same every frame."""
    key = (s, size, color, bold, shadow, max_width)
    got = _TEXTS.get(key)
    if got is not None:
        return got
    f = font(size, bold)
    img = f.render(s, True, color)
    if max_width is not None and img.get_width() > max_width and img.get_width() > 0:
        scale = max_width / img.get_width()
        img = pygame.transform.smoothscale(img, (max_width, max(1, int(img.get_height() * scale))))
    sh = None
    if shadow:
        sh = f.render(s, True, (0, 0, 0))
        if sh.get_size() != img.get_size():
            sh = pygame.transform.smoothscale(sh, img.get_size())
        sh.set_alpha(160)
    if len(_TEXTS) > 2000:
        _TEXTS.clear()
    _TEXTS[key] = (img, sh)
    return img, sh


def wrap(s: str, size: int, width: int) -> list[str]:
    f = font(size)
    words, lines, line = s.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if f.size(trial)[0] <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def paragraph(surface: pygame.Surface, s: str, rect: pygame.Rect, size: int,
              color: tuple[int, int, int] = INK, *, center: bool = False) -> int:
    """Wrapped text inside ``rect``; returns the y below the last line."""
    y = rect.top
    line_h = int(font(size).get_linesize() * 1.05)
    for line in wrap(s, size, rect.width):
        if y + line_h > rect.bottom + line_h // 2:
            break
        if center:
            text(surface, line, (rect.centerx, y), size, color, anchor="midtop")
        else:
            text(surface, line, (rect.left, y), size, color)
        y += line_h
    return y


def panel(surface: pygame.Surface, rect: pygame.Rect, *, alpha: int = 215,
          color: tuple[int, int, int] = PANEL, border: tuple[int, int, int] | None = None,
          radius: int = 14) -> None:
    """A rounded translucent panel (readable over a busy camera image)."""
    if rect.width <= 0 or rect.height <= 0:
        return
    surface.blit(_panel_surface(rect.width, rect.height, color, alpha, radius), rect)
    if border:
        pygame.draw.rect(surface, border, rect, width=2, border_radius=radius)


@lru_cache(maxsize=96)  # bounded: window resizes create new sizes
def _panel_surface(w: int, h: int, color: tuple[int, int, int], alpha: int,
                   radius: int) -> pygame.Surface:
    tmp = pygame.Surface((w, h), pygame.SRCALPHA)
    pygame.draw.rect(tmp, (*color, alpha), tmp.get_rect(), border_radius=radius)
    return tmp


@lru_cache(maxsize=16)
def _shade(w: int, h: int, alpha: int) -> pygame.Surface:
    shade = pygame.Surface((w, h), pygame.SRCALPHA)
    shade.fill((0, 0, 0, alpha))
    return shade


def background(surface: pygame.Surface) -> None:
    """The dark gradient backdrop used when no camera image is shown."""
    w, h = surface.get_size()
    grad = _gradient(w, h)
    surface.blit(grad, (0, 0))


@lru_cache(maxsize=4)
def _gradient(w: int, h: int) -> pygame.Surface:
    col = np.linspace(0, 1, max(h, 1))[:, None]
    top, bottom = np.array(BG2, float), np.array(BG, float)
    rgb = (top * (1 - col) + bottom * col).astype(np.uint8)  # (h, 3)
    arr = np.repeat(rgb[None, :, :], max(w, 1), axis=0)  # (w, h, 3)
    return pygame.surfarray.make_surface(arr)


def dim(surface: pygame.Surface, alpha: int = 120) -> None:
    """Shade everything drawn so far (an overlay's backdrop). For the layout check, what is
    under the shade is background now: the overlay's own text is checked against it."""
    surface.blit(_shade(*surface.get_size(), alpha), (0, 0))
    for rec in _RECORDING:
        rec.texts.clear()
        rec.messages.clear()


# -- camera view ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class View:
    """Maps source-image pixels to a screen rectangle (fit inside, centred), optionally mirrored."""

    rect: pygame.Rect
    image_size: tuple[int, int]
    mirror: bool

    @classmethod
    def fit(cls, area: pygame.Rect, image_size: tuple[int, int], mirror: bool) -> View:
        iw, ih = image_size
        if iw <= 0 or ih <= 0:
            iw, ih = 640, 480
        scale = min(area.width / iw, area.height / ih)
        w, h = int(iw * scale), int(ih * scale)
        rect = pygame.Rect(0, 0, w, h)
        rect.center = area.center
        return cls(rect, (iw, ih), mirror)

    @property
    def scale(self) -> float:
        return self.rect.width / self.image_size[0]

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        if self.mirror:
            x = self.image_size[0] - x
        return (self.rect.left + x * self.scale, self.rect.top + y * self.scale)

    def to_image_rect(self, rect: pygame.Rect) -> tuple[float, float, float, float]:
        """A screen rectangle in source-image pixels, (x, y, w, h) (mirroring undone)."""
        x0 = (rect.left - self.rect.left) / self.scale
        x1 = (rect.right - self.rect.left) / self.scale
        if self.mirror:
            x0, x1 = self.image_size[0] - x1, self.image_size[0] - x0
        y0 = (rect.top - self.rect.top) / self.scale
        return (x0, y0, x1 - x0, rect.height / self.scale)

    def points(self, landmarks_px: np.ndarray) -> np.ndarray:
        xs = landmarks_px[:, 0]
        if self.mirror:
            xs = self.image_size[0] - xs
        return np.stack([self.rect.left + xs * self.scale,
                         self.rect.top + landmarks_px[:, 1] * self.scale], axis=1)


class ImageCache:
    """Converts the newest camera image to a scaled surface once, not every frame."""

    def __init__(self) -> None:
        self._key: tuple[int, tuple[int, int], bool] | None = None
        self._surf: pygame.Surface | None = None

    def get(self, image_rgb: np.ndarray, size: tuple[int, int], mirror: bool) -> pygame.Surface:
        key = (id(image_rgb), size, mirror)
        if key != self._key or self._surf is None:
            h, w = image_rgb.shape[:2]
            surf = pygame.image.frombuffer(np.ascontiguousarray(image_rgb).tobytes(), (w, h), "RGB")
            if mirror:
                surf = pygame.transform.flip(surf, True, False)
            self._surf = pygame.transform.scale(surf, size)
            self._key = key
        return self._surf


def draw_camera(surface: pygame.Surface, view: View, image_rgb: np.ndarray | None,
                cache: ImageCache, *, dim_alpha: int = 90, privacy: bool = False) -> None:
    """The camera image in ``view.rect`` (dimmed so overlays read), or a neutral stage."""
    if image_rgb is not None:
        surface.blit(cache.get(image_rgb, view.rect.size, view.mirror), view.rect)
        surface.blit(_shade(view.rect.width, view.rect.height, dim_alpha), view.rect)
    else:
        pygame.draw.rect(surface, (22, 27, 40), view.rect, border_radius=8)
        # a floor grid gives the skeleton a stage
        r = view.rect
        for i in range(1, 8):
            y = r.top + r.height * (0.62 + 0.38 * (i / 8) ** 1.6)
            pygame.draw.line(surface, (34, 42, 60), (r.left, y), (r.right, y), 1)
        for i in range(-6, 7):
            x0 = r.centerx + i * r.width / 12
            pygame.draw.line(surface, (34, 42, 60), (r.centerx + i * r.width / 40, r.top +
                                                     r.height * 0.62), (x0, r.bottom), 1)
        if privacy:
            text(surface, "Privacy mode: the camera image is never shown or stored",
                 (r.centerx, r.top + 10), max(12, r.height // 36), MUTED, anchor="midtop")


def draw_skeleton(surface: pygame.Surface, pts: np.ndarray, vis: np.ndarray | None, *,
                  width: int = 5, alpha: int = 255, color: tuple[int, int, int] | None = None,
                  joints: bool = True, min_vis: float = 0.3) -> None:
    """Bones coloured by side (blue = player's left, red = right), with dark outlines."""
    def visible(i: int) -> bool:
        return vis is None or vis[i] >= min_vis

    left = {LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_HIP, LM.LEFT_KNEE,
            LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX, LM.LEFT_EYE}
    target = surface
    if alpha < 255:
        target = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    for a, b in SKELETON_EDGES:
        if not (visible(a) and visible(b)):
            continue
        if color is not None:
            c = color
        elif a in left and b in left:
            c = LEFT_COLOR
        elif a not in left and b not in left and a not in (LM.NOSE,) and \
                not (a == LM.LEFT_SHOULDER or a == LM.LEFT_HIP):
            c = RIGHT_COLOR
        else:
            c = BONE
        pa, pb = pts[a], pts[b]
        pygame.draw.line(target, (0, 0, 0), pa, pb, width + 4)
        pygame.draw.line(target, c, pa, pb, width)
    if joints:
        for i in (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_ELBOW, LM.RIGHT_ELBOW,
                  LM.LEFT_WRIST, LM.RIGHT_WRIST, LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE,
                  LM.RIGHT_KNEE, LM.LEFT_ANKLE, LM.RIGHT_ANKLE):
            if visible(i):
                pygame.draw.circle(target, (0, 0, 0), pts[i], width + 2)
                pygame.draw.circle(target, BONE, pts[i], max(2, width - 1))
        if visible(LM.NOSE):
            torso = np.linalg.norm((pts[LM.LEFT_SHOULDER] + pts[LM.RIGHT_SHOULDER]) / 2 -
                                   (pts[LM.LEFT_HIP] + pts[LM.RIGHT_HIP]) / 2)
            r = max(6, int(torso * 0.2), width * 2)
            pygame.draw.circle(target, (0, 0, 0), pts[LM.NOSE], r + 2, 3)
            pygame.draw.circle(target, BONE, pts[LM.NOSE], r, 2)
    if target is not surface:
        target.set_alpha(alpha)
        surface.blit(target, (0, 0))


# -- widgets ---------------------------------------------------------------------------------

@dataclass
class Button:
    key: str
    label: str
    hint: str = ""
    enabled: bool = True


@dataclass
class Menu:
    """A vertical list of buttons driven by keys, mouse or a held hand; ``rects`` come from draw."""

    buttons: list[Button]
    focus: int = 0
    rects: dict[str, pygame.Rect] = field(default_factory=dict)

    def handle(self, event: InputEvent) -> str | None:
        """Returns the key of the button pressed, if any."""
        n = len(self.buttons)
        if event.action in (Action.UP, Action.LEFT):
            self.focus = (self.focus - 1) % n
        elif event.action in (Action.DOWN, Action.RIGHT):
            self.focus = (self.focus + 1) % n
        elif event.action == Action.SELECT:
            b = self.buttons[self.focus]
            return b.key if b.enabled else None
        elif event.action in (Action.POINT, Action.CLICK) and event.pos is not None:
            for i, b in enumerate(self.buttons):
                r = self.rects.get(b.key)
                if r is not None and r.collidepoint(event.pos):
                    self.focus = i
                    if event.action == Action.CLICK and b.enabled:
                        return b.key
        return None

    def layout(self, area: pygame.Rect, item_h: int, gap: int) -> dict[str, pygame.Rect]:
        rects = {}
        y = area.top
        for b in self.buttons:
            rects[b.key] = pygame.Rect(area.left, y, area.width, item_h)
            y += item_h + gap
        return rects


def draw_button(surface: pygame.Surface, rect: pygame.Rect, label: str, *, focused: bool,
                enabled: bool = True, hint: str = "", hover_progress: float = 0.0,
                size: int = 26) -> None:
    fill = (46, 56, 82) if focused else (30, 36, 54)
    panel(surface, rect, alpha=235, color=fill, border=ACCENT if focused else (60, 70, 96),
          radius=rect.height // 4)
    if hover_progress > 0:
        bar = rect.inflate(-8, -8)
        bar.width = int(bar.width * hover_progress)
        if bar.width > 4:
            panel(surface, bar, alpha=110, color=ACCENT, radius=rect.height // 5)
    col = INK if enabled else MUTED
    if hint:
        text(surface, label, (rect.left + size, rect.centery - size * 0.15), size, col,
             anchor="midleft", bold=focused, max_width=rect.width - 2 * size)
        text(surface, hint, (rect.left + size, rect.centery + size * 0.75), int(size * 0.6),
             MUTED, anchor="midleft", max_width=rect.width - 2 * size)
    else:
        text(surface, label, (rect.left + size, rect.centery), size, col, anchor="midleft",
             bold=focused, max_width=rect.width - 2 * size)


def hand_cursor(surface: pygame.Surface, pos: tuple[float, float], progress: float,
                radius: int, color: tuple[int, int, int] = ACCENT) -> None:
    """A ring at a tracked hand, filling up while it dwells on a button."""
    pygame.draw.circle(surface, (0, 0, 0), pos, radius + 3, 3)
    pygame.draw.circle(surface, color, pos, radius, 3)
    if progress > 0:
        rect = pygame.Rect(0, 0, 2 * radius + 10, 2 * radius + 10)
        rect.center = (int(pos[0]), int(pos[1]))
        pygame.draw.arc(surface, color, rect, np.pi / 2, np.pi / 2 + 2 * np.pi * progress, 6)


def meter(surface: pygame.Surface, rect: pygame.Rect, value: float, *, target: float | None,
          color: tuple[int, int, int], label: str = "", size: int = 18,
          vertical: bool = True) -> None:
    """A fill meter 0..1 with an optional target line."""
    panel(surface, rect, alpha=235, color=(44, 52, 76), radius=8)
    inner = rect.inflate(-8, -8)
    v = max(0.0, min(1.0, value))
    if vertical:
        fill = pygame.Rect(inner.left, inner.bottom - int(inner.height * v), inner.width,
                           int(inner.height * v))
    else:
        fill = pygame.Rect(inner.left, inner.top, int(inner.width * v), inner.height)
    pygame.draw.rect(surface, color, fill, border_radius=6)
    if target is not None:
        if vertical:
            y = inner.bottom - int(inner.height * target)
            pygame.draw.line(surface, INK, (rect.left - 6, y), (rect.right + 6, y), 3)
        else:
            x = inner.left + int(inner.width * target)
            pygame.draw.line(surface, INK, (x, rect.top - 6), (x, rect.bottom + 6), 3)
    if label:
        text(surface, label, (rect.centerx, rect.bottom + 6), size, MUTED, anchor="midtop")


def bar_chart(surface: pygame.Surface, rect: pygame.Rect, values: Sequence[float | None],
              *, labels: Sequence[str] | None = None, max_value: float | None = None,
              color_of: Callable[[float], tuple[int, int, int]] | None = None,
              title: str = "", size: int = 18, value_fmt: str = "{:.0f}",
              label_size: int | None = None) -> None:
    """Bars with a title (``size`` px), values above and labels below (``label_size`` px,
    default 0.8 of ``size``)."""
    panel(surface, rect, alpha=215)
    pad = max(8, size // 2)
    small = label_size or int(size * 0.8)
    if title:
        text(surface, title, (rect.left + pad, rect.top + pad), size, MUTED)
    head = (size + 8 if title else 0) + int(small * 1.15)  # title, then room for value labels
    area = pygame.Rect(rect.left + pad, rect.top + pad + head, rect.width - 2 * pad,
                       rect.height - 2 * pad - head - int(small * 1.25) - 4)
    if not values:
        text(surface, "no data yet", area.center, size, MUTED, anchor="center")
        return
    known = [v for v in values if v is not None]
    top = max_value if max_value else max(max(known, default=0.0), 1e-9)
    n = len(values)
    slot = area.width / n
    bw = max(3, int(slot * 0.7))
    for i, v in enumerate(values):
        x = int(area.left + i * slot + (slot - bw) / 2)
        if v is None:  # an attempt that did not count: a cross on the baseline
            c = (x + bw // 2, area.bottom - size // 2)
            d = max(4, min(bw, size) // 3)
            pygame.draw.line(surface, ORANGE, (c[0] - d, c[1] - d), (c[0] + d, c[1] + d), 3)
            pygame.draw.line(surface, ORANGE, (c[0] - d, c[1] + d), (c[0] + d, c[1] - d), 3)
            if labels and n <= 24:
                text(surface, labels[i], (x + bw / 2, area.bottom + 4), small, MUTED,
                     anchor="midtop")
            continue
        hgt = int(area.height * max(0.0, min(1.0, v / top)))
        col = color_of(v) if color_of else ACCENT
        pygame.draw.rect(surface, col, pygame.Rect(x, area.bottom - hgt, bw, hgt), border_radius=4)
        if n <= 20 and bw >= font(small).size(value_fmt.format(v))[0]:
            text(surface, value_fmt.format(v), (x + bw / 2, area.bottom - hgt - 2), small,
                 INK, anchor="midbottom")
        if labels and n <= 24:
            text(surface, labels[i], (x + bw / 2, area.bottom + 4), small, MUTED,
                 anchor="midtop")


def darker(c: tuple[int, int, int], k: float = 0.45) -> tuple[int, int, int]:
    """``c`` scaled towards black: a fill dark enough for white words on it (WCAG >= 4.5)."""
    return (int(c[0] * k), int(c[1] * k), int(c[2] * k))


def score_color(score: float) -> tuple[int, int, int]:
    """0..100 form score -> red / orange / green."""
    if score >= 80:
        return GREEN
    if score >= 60:
        return ACCENT
    if score >= 40:
        return ORANGE
    return RED


def toast_size(message: str, lay: Layout, max_width: int) -> tuple[int, int]:
    """Width and height of a toast for ``message`` no wider than ``max_width`` pixels."""
    size = lay.px(3.6)
    width = min(max_width, font(size).size(message)[0] + lay.px(6))
    lines = wrap(message, size, width - lay.px(4))
    return width, len(lines) * int(font(size).get_linesize() * 1.05) + lay.px(3)


def draw_toast_in(surface: pygame.Surface, message: str, rect: pygame.Rect, lay: Layout, *,
                  color=ACCENT) -> None:
    """A toast in ``rect`` (sized by :func:`toast_size`)."""
    panel(surface, rect, alpha=230, border=color)
    note_message(message, rect)
    paragraph(surface, message, rect.inflate(-lay.px(4), -lay.px(2.4)), lay.px(3.6), INK, center=True)


def draw_toast(surface: pygame.Surface, message: str, lay: Layout, *, color=ACCENT,
               y_frac: float = 0.86) -> None:
    """A toast centred across the window at ``y_frac`` of its height."""
    rect = pygame.Rect((0, 0), toast_size(message, lay, lay.w - lay.px(8)))
    rect.center = (lay.w // 2, int(lay.h * y_frac))
    rect.bottom = min(rect.bottom, lay.h - lay.px(1))
    draw_toast_in(surface, message, rect, lay, color=color)


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    return f"{seconds // 60}:{seconds % 60:02d}"

