"""The layout check: what a player 2-3 m away needs from every play screen.

Reads the boxes ``game.scenes.ui.record_boxes`` collected while a frame was drawn and lists the
problems: text boxes that overlap, a message panel over other text, text too small for room
distance (primary >= 4 % of the screen height, everything else >= 2.5 %), text whose contrast
with what is under it is below WCAG's 4.5:1.
"""

from __future__ import annotations

from game.scenes import ui

PRIMARY_FRAC = 0.04
SECONDARY_FRAC = 0.025
MIN_CONTRAST = 4.5


def problems(boxes: ui.DrawnBoxes, height: int) -> list[str]:
    out: list[str] = []
    texts = boxes.texts
    for i, a in enumerate(texts):
        need = PRIMARY_FRAC if a.role == "primary" else SECONDARY_FRAC
        if a.size_px < need * height - 0.5:
            out.append(f"too small: {a.text!r} {a.role} {100 * a.size_px / height:.1f} % < "
                       f"{100 * need:.1f} %")
        ratio = ui.contrast_ratio(a.color, a.background)
        if ratio < MIN_CONTRAST:
            out.append(f"low contrast: {a.text!r} {a.color} on {a.background}: {ratio:.1f}")
        for b in texts[i + 1:]:
            if a.rect.inflate(-2, -2).colliderect(b.rect.inflate(-2, -2)):
                out.append(f"overlap: {a.text!r} {tuple(a.rect)} / {b.text!r} {tuple(b.rect)}")
    for m in boxes.messages:
        for t in texts:
            if m.rect.colliderect(t.rect) and not m.rect.contains(t.rect):
                out.append(f"message over text: {m.text!r} {tuple(m.rect)} / {t.text!r} "
                           f"{tuple(t.rect)}")
    for i, m in enumerate(boxes.messages):
        for n in boxes.messages[i + 1:]:
            if m.rect.colliderect(n.rect):
                out.append(f"messages overlap: {m.text!r} / {n.text!r}")
    return sorted(set(out))
