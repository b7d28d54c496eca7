"""Theme colours: node text reads on every box fill, for people and for OCR, in every theme."""

from __future__ import annotations

import pytest

from explorer.core.view.scene_model import NodeState
from explorer.core.view.themes import THEMES, Theme


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[at:at + 2], 16) / 255 for at in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def box_fills(theme: Theme) -> list[str]:
    """Every colour a box is filled with: each state's, and a leaf's before it has run."""
    return [*theme.node_fill.values(), theme.leaf_fill]


@pytest.mark.parametrize("name", list(THEMES))
def test_node_text_is_dark_on_lighter_fills_with_strong_contrast(name: str) -> None:
    # tesseract reads dark text on a light ground; light text on the dark theme's former dark
    # fills read 7 of 20 labels of a network at the window's zoom
    theme = THEMES[name]
    for fill in box_fills(theme):
        assert luminance(theme.node_text) < luminance(fill), (name, fill)
        assert contrast(theme.node_text, fill) >= 7.0, (name, fill)  # WCAG AAA for body text


@pytest.mark.parametrize("name", list(THEMES))
def test_states_keep_their_hues(name: str) -> None:
    """Done is green, waiting blue, running amber (red and green over blue), never reached grey."""
    fills = {state: channels(colour) for state, colour in THEMES[name].node_fill.items()}
    red, green, blue = fills[NodeState.DONE]
    assert green > max(red, blue)
    red, green, blue = fills[NodeState.WAITING]
    assert blue > max(red, green)
    red, green, blue = fills[NodeState.ACTIVE]
    assert red > green > blue
    assert max(fills[NodeState.UNREACHED]) - min(fills[NodeState.UNREACHED]) <= 24
    assert len(set(box_fills(THEMES[name]))) == len(NodeState) + 1


def channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.parametrize("name", list(THEMES))
def test_boxes_stand_out_from_the_background(name: str) -> None:
    theme = THEMES[name]
    for state in (NodeState.DONE, NodeState.WAITING, NodeState.ACTIVE):
        assert contrast(theme.node_fill[state], theme.background) >= 1.2, (name, state)
