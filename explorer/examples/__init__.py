"""Example programs bundled with the app: each file starts with its title and one-line idea."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from explorer.examples.lessons import LESSONS, SECTIONS, Lesson


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    idea: str
    section: str = ""
    explanation: str = ""
    expected: dict[str, Any] = field(default_factory=dict)  # stated results, checked against torch
    error: str = ""  # the error a lesson is meant to end with, if any

    def source(self) -> str:
        return resources.files(__package__).joinpath(f"{self.slug}.py").read_text(encoding="utf-8")


def _read_header(slug: str) -> Example:
    text = resources.files(__package__).joinpath(f"{slug}.py").read_text(encoding="utf-8")
    lines = [line.removeprefix("#").strip() for line in text.splitlines()[:2]]
    lesson = LESSONS.get(slug, Lesson("", ""))
    return Example(slug, lines[0], lines[1], lesson.section, lesson.explanation,
                   dict(lesson.expected), lesson.error)


ORDER = (
    "polynomial",
    "quadratic",
    "square_plus_three",
    "mean_of_vector",
    "linear_layer",
    "accumulate_and_zero",
    "zero_before_backward",
    "chain_rule",
    "used_twice",
    "detach_and_no_grad",
    "backward_with_gradient",
    "retain_graph",
    "without_retain_graph",
    "second_derivative",
    "vanishing_sigmoid",
    "vanishing_tanh",
    "relu_chain",
    "exploding_chain",
    "round_and_sign",
    "straight_through",
    "softmax_cross_entropy",
    "mlp_four_points",
)

WELCOME = "polynomial"


def all_examples() -> list[Example]:
    return [_read_header(slug) for slug in ORDER]


def example(slug: str) -> Example:
    return _read_header(slug)


def by_section() -> list[tuple[str, list[Example]]]:
    """The gallery's sections in teaching order, each with its lessons."""
    examples = all_examples()
    return [(section, [item for item in examples if item.section == section]) for section in SECTIONS]
