"""Where a window reopens: on the screen it was on, and always inside a screen that exists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    def overlap(self, other: Rect) -> int:
        """The area the two rectangles share (0 when apart)."""
        width = min(self.x + self.width, other.x + other.width) - max(self.x, other.x)
        height = min(self.y + self.height, other.y + other.height) - max(self.y, other.y)
        return max(0, width) * max(0, height)


@dataclass(frozen=True)
class Screen:
    name: str
    available: Rect  # without panels, docks and taskbars


def place_window(saved: Rect, screen_name: str, screens: Sequence[Screen]) -> tuple[Rect, Screen]:
    """The saved frame on its screen if that screen is still there, else on the screen it
    overlaps most (the first, primary, screen when it overlaps none), shrunk to fit and moved
    inside that screen's available area. ``screens`` must not be empty."""
    screen = next((s for s in screens if s.name == screen_name and screen_name), None)
    if screen is None:
        screen = max(screens, key=lambda s: (saved.overlap(s.available), s is screens[0]))
        if saved.overlap(screen.available) == 0:
            screen = screens[0]
    return clamp(saved, screen.available), screen


def clamp(frame: Rect, area: Rect) -> Rect:
    """``frame`` made to fit ``area``: no larger than it, and moved inside it."""
    width, height = min(frame.width, area.width), min(frame.height, area.height)
    x = min(max(frame.x, area.x), area.x + area.width - width)
    y = min(max(frame.y, area.y), area.y + area.height - height)
    return Rect(x, y, width, height)


def cascade(frame: Rect, area: Rect, step: int = 32) -> Rect:
    """A new window beside an open one: ``step`` down and right, shrunk to stay inside ``area``
    (back to the area's corner when it would lose more than a third of its width or height)."""
    x, y = frame.x + step, frame.y + step
    width = min(frame.width, area.x + area.width - x)
    height = min(frame.height, area.y + area.height - y)
    if width < frame.width * 2 / 3 or height < frame.height * 2 / 3:
        return clamp(Rect(area.x, area.y, frame.width, frame.height), area)
    return clamp(Rect(x, y, width, height), area)
