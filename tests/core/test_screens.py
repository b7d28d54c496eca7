"""Where a window reopens: its own screen if it is still there, else clamped to one that is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from explorer.desktop.screens import Rect, Screen, cascade, clamp, place_window

LAPTOP = Screen("eDP-1", Rect(0, 0, 1366, 740))  # the primary, first in the list
PROJECTOR = Screen("HDMI-1", Rect(1366, 0, 1920, 1050))


def inside(frame: Rect, area: Rect) -> bool:
    return (area.x <= frame.x and frame.x + frame.width <= area.x + area.width
            and area.y <= frame.y and frame.y + frame.height <= area.y + area.height)


def test_a_window_reopens_where_it_was_on_its_screen() -> None:
    saved = Rect(1500, 100, 1200, 800)
    assert place_window(saved, "HDMI-1", [LAPTOP, PROJECTOR]) == (saved, PROJECTOR)


def test_a_window_whose_screen_is_gone_lands_inside_the_primary() -> None:
    saved = Rect(1500, 100, 1800, 1000)  # was on the projector, now unplugged
    placed, screen = place_window(saved, "HDMI-1", [LAPTOP])
    assert screen == LAPTOP
    assert placed == Rect(0, 0, 1366, 740)  # shrunk to the laptop's area, and moved onto it


def test_a_window_partly_off_its_screen_is_pulled_back_on() -> None:
    placed, _ = place_window(Rect(1200, 600, 400, 300), "eDP-1", [LAPTOP, PROJECTOR])
    assert placed == Rect(966, 440, 400, 300)  # same size, moved up and left just enough


def test_a_renamed_screen_is_found_by_where_the_window_was() -> None:
    renamed = Screen("DP-2", PROJECTOR.available)
    placed, screen = place_window(Rect(2000, 200, 800, 600), "HDMI-1", [LAPTOP, renamed])
    assert screen == renamed and placed == Rect(2000, 200, 800, 600)


screens = st.builds(lambda x, y, w, h, n: Screen(f"S{n}", Rect(x, y, w, h)),
                    st.integers(-4000, 4000), st.integers(-4000, 4000), st.integers(200, 4000),
                    st.integers(200, 3000), st.integers(0, 5))
frames = st.builds(Rect, st.integers(-10_000, 10_000), st.integers(-10_000, 10_000),
                   st.integers(100, 6000), st.integers(100, 5000))


@given(frames, st.lists(screens, min_size=1, max_size=4), st.sampled_from(["S0", "S1", "gone", ""]))
def test_the_placed_window_always_fits_inside_the_screen_chosen(saved: Rect, available: list[Screen],
                                                                name: str) -> None:
    placed, screen = place_window(saved, name, available)
    assert screen in available
    assert inside(placed, screen.available)
    assert placed.width == min(saved.width, screen.available.width)
    assert placed.height == min(saved.height, screen.available.height)
    if inside(saved, screen.available):
        assert placed == saved  # a window that fits is never moved


@given(frames, screens)
def test_clamping_keeps_what_fits(frame: Rect, screen: Screen) -> None:
    clamped = clamp(frame, screen.available)
    assert inside(clamped, screen.available)
    assert clamp(clamped, screen.available) == clamped


def test_a_new_window_cascades_from_the_open_one() -> None:
    area = Rect(0, 0, 1366, 740)
    assert cascade(Rect(100, 100, 800, 500), area) == Rect(132, 132, 800, 500)
    assert cascade(Rect(0, 0, 1366, 740), area) == Rect(32, 32, 1334, 708)  # shrunk a little
    assert cascade(Rect(1000, 400, 600, 300), area) == Rect(0, 0, 600, 300)  # no room: the corner
