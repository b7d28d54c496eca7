"""The one way the window and its features make a menu or toolbar action."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

Keys = QKeySequence | QKeySequence.StandardKey | str


def make_action(parent: QObject, text: str, slot: Callable[[], object] | None = None,
                keys: Keys | Sequence[Keys] | None = None, tip: str = "", *,
                checkable: bool = False) -> QAction:
    """An action with its shortcut(s) and tip; ``slot`` runs when it is triggered."""
    action = QAction(text, parent)
    if keys is not None:
        many = keys if isinstance(keys, Sequence) and not isinstance(keys, str) else [keys]
        action.setShortcuts([QKeySequence(key) for key in many])
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.setCheckable(checkable)
    if slot is not None:
        action.triggered.connect(lambda checked=False: slot())
    return action
