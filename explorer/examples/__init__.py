"""Example programs bundled with the app: each file starts with its title and one-line idea."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    idea: str

    def source(self) -> str:
        return resources.files(__package__).joinpath(f"{self.slug}.py").read_text(encoding="utf-8")


def _read_header(slug: str) -> Example:
    text = resources.files(__package__).joinpath(f"{slug}.py").read_text(encoding="utf-8")
    lines = [line.removeprefix("#").strip() for line in text.splitlines()[:2]]
    return Example(slug, lines[0], lines[1])


ORDER = (
    "polynomial",
    "quadratic",
    "square_plus_three",
    "mean_of_vector",
    "linear_layer",
    "accumulate_and_zero",
    "zero_before_backward",
)

WELCOME = "polynomial"


def all_examples() -> list[Example]:
    return [_read_header(slug) for slug in ORDER]


def example(slug: str) -> Example:
    return _read_header(slug)
