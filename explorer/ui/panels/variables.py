"""The variables panel: every leaf the program named, its value (editable) and its .grad."""

from __future__ import annotations

import html
from typing import Any

import torch
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSlider,
    QSplitter,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.core.capture.tensors import TensorLike, format_number
from explorer.core.capture.trace import LeafVariable
from explorer.core.view.tensor_view import compact_text, tensor_html

COLUMNS = ("name", "shape", "dtype", "requires_grad", "value", "grad")
VALUE_COLUMN = COLUMNS.index("value")
GRAD_COLUMN = COLUMNS.index("grad")
GRID_LIMIT = 100  # tensors up to this many elements are edited as a grid
SLIDER_STEPS = 1000


def value_text(value: TensorLike | None) -> str:
    """One line for a cell: every number of a small tensor, else its shape and range."""
    return compact_text(value)


def slider_range(value: float) -> tuple[float, float]:
    """A range around the value wide enough to explore: ±max(2, 2|v|)."""
    half = max(2.0, 2.0 * abs(value))
    return value - half, value + half


class _ScalarDelegate(QStyledItemDelegate):
    def createEditor(self, parent, option, index):  # noqa: N802 - Qt override
        editor = QDoubleSpinBox(parent)
        editor.setDecimals(6)
        editor.setRange(-1e12, 1e12)
        editor.setKeyboardTracking(False)
        return editor

    def setEditorData(self, editor, index) -> None:  # noqa: N802 - Qt override
        editor.setValue(float(index.data(Qt.ItemDataRole.UserRole) or 0.0))

    def setModelData(self, editor, model, index) -> None:  # noqa: N802 - Qt override
        model.setData(index, editor.value(), Qt.ItemDataRole.UserRole)
        model.setData(index, format_number(editor.value()), Qt.ItemDataRole.DisplayRole)


class QtGridEditor(QDialog):
    """Edit a small vector or matrix cell by cell."""

    def __init__(self, name: str, tensor: torch.Tensor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit {name}")
        self.shape = tuple(tensor.shape)
        matrix = tensor.detach().double().reshape(-1, self.shape[-1] if self.shape else 1)
        self.table = QTableWidget(matrix.shape[0], matrix.shape[1], self)
        for row in range(matrix.shape[0]):
            for column in range(matrix.shape[1]):
                self.table.setItem(row, column, QTableWidgetItem(format_number(matrix[row, column].item())))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.message = QLabel("")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{name}: shape {list(self.shape)}"))
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def values(self) -> Any:
        """The edited values as nested lists in the tensor's shape (ValueError if a cell is bad)."""
        flat = []
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                flat.append(float(item.text()) if item is not None else 0.0)
        return torch.tensor(flat, dtype=torch.float64).reshape(self.shape).tolist()

    def accept(self) -> None:
        try:
            self.values()
        except ValueError as error:
            self.message.setText(f"Not a number: {error}")
            return
        super().accept()


class QtVariablesPanel(QWidget):
    """Lists the leaves; an edit is sent as ``valueEdited(name, value)``, never applied here."""

    valueEdited = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.leaves: list[LeafVariable] = []
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("variablesTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (VALUE_COLUMN, COLUMNS.index("grad")):  # the long texts share what is left
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setItemDelegateForColumn(VALUE_COLUMN, _ScalarDelegate(self.table))
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.cellDoubleClicked.connect(self._on_double_clicked)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.grads: dict[str, TensorLike | None] = {}
        self.edited: set[str] = set()  # names whose value the user set here
        # the selected variable's value and .grad in full: matrices, or heat maps with ranges
        self.details = QTextBrowser(self)
        self.details.setObjectName("variableDetails")
        self.details.setMinimumHeight(60)
        self.slider_label = QLabel("Select a scalar to explore it with the slider")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setEnabled(False)
        self.spin = QDoubleSpinBox()
        self.spin.setDecimals(4)
        self.spin.setRange(-1e12, 1e12)
        self.spin.setEnabled(False)
        self.spin.setKeyboardTracking(False)
        self._slider_range = (0.0, 1.0)
        self._slider_name: str | None = None
        self._emit_timer = QTimer(self, singleShot=True, interval=60)
        self._emit_timer.timeout.connect(self._emit_slider_value)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.spin.valueChanged.connect(self._on_spin_changed)
        self._filling = False
        controls = QHBoxLayout()
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.slider_label)
        layout.addLayout(controls)

    def show_leaves(self, leaves: list[LeafVariable], grads: dict[str, TensorLike | None]) -> None:
        """Fill the table; ``grads`` holds each leaf's ``.grad`` at the current step."""
        selected = self._selected_name()
        self.leaves = leaves
        self.grads = grads
        self._filling = True
        self.table.setRowCount(len(leaves))
        for row, leaf in enumerate(leaves):
            grad = grads.get(leaf.name, leaf.grad)
            cells = [leaf.name, "×".join(map(str, leaf.shape)) or "scalar", leaf.dtype,
                     "yes" if leaf.requires_grad else "no", value_text(leaf.value), value_text(grad)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column in (VALUE_COLUMN, GRAD_COLUMN):  # the numbers laid out, on hover
                    item.setToolTip(tensor_html(leaf.value if column == VALUE_COLUMN else grad))
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if column == VALUE_COLUMN and self._is_scalar(leaf):
                    flags |= Qt.ItemFlag.ItemIsEditable
                    item.setData(Qt.ItemDataRole.UserRole, _scalar(leaf))
                    item.setToolTip("Double-click to type a new value")
                if column == COLUMNS.index("name") and leaf.name in self.edited:
                    item.setText(f"{leaf.name} ✎")
                    item.setToolTip("You edited this value: the program runs with it (the code is "
                                    "not rewritten; Edit → Reset edited values puts it back)")
                elif column == VALUE_COLUMN:
                    item.setToolTip(tensor_html(leaf.value) + "<br><i>Double-click to edit the values "
                                    "as a grid</i>")
                item.setFlags(flags)
                self.table.setItem(row, column, item)
        self._filling = False
        first_scalar = next((leaf.name for leaf in leaves if self._is_scalar(leaf)), None)
        shown = selected or first_scalar
        if shown is not None:
            self.select_variable(shown)
        self._on_selection()

    def select_variable(self, name: str) -> None:
        for row, leaf in enumerate(self.leaves):
            if leaf.name == name:
                self.table.selectRow(row)

    @staticmethod
    def _is_scalar(leaf: LeafVariable) -> bool:
        value = leaf.value
        return isinstance(value, torch.Tensor) and value.numel() == 1 and value.is_floating_point()

    def _selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.leaves[rows[0].row()].name if rows and rows[0].row() < len(self.leaves) else None

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != VALUE_COLUMN:
            return
        value = item.data(Qt.ItemDataRole.UserRole)
        if value is not None:
            self.valueEdited.emit(self.leaves[item.row()].name, float(value))

    def _on_double_clicked(self, row: int, column: int) -> None:
        leaf = self.leaves[row]
        if column != VALUE_COLUMN or self._is_scalar(leaf):
            return
        value = leaf.value
        if not isinstance(value, torch.Tensor) or value.numel() > GRID_LIMIT or value.dim() > 2:
            return
        dialog = QtGridEditor(leaf.name, value, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.valueEdited.emit(leaf.name, dialog.values())

    def _show_details(self, leaf: LeafVariable | None) -> None:
        if leaf is None:
            self.details.setHtml("<p>Select a variable to see its value and gradient in full.</p>")
            return
        grad = self.grads.get(leaf.name, leaf.grad)
        self.details.setHtml(f"<p><b>{html.escape(leaf.name)}</b> = {tensor_html(leaf.value)}</p>"
                             f"<p><b>{html.escape(leaf.name)}.grad</b> = {tensor_html(grad)}</p>")

    def _on_selection(self) -> None:
        name = self._selected_name()
        leaf = next((item for item in self.leaves if item.name == name), None)
        self._show_details(leaf)
        scalar = leaf is not None and self._is_scalar(leaf)
        self.slider.setEnabled(scalar)
        self.spin.setEnabled(scalar)
        if not scalar:
            self._slider_name = None
            self.slider_label.setText("Select a scalar to explore it with the slider")
            return
        value = _scalar(leaf)
        if self._slider_name != name or not self._slider_range[0] <= value <= self._slider_range[1]:
            self._slider_range = slider_range(value)
        self._slider_name = name
        low, high = self._slider_range
        self.slider_label.setText(f"{name}: drag between {format_number(low)} and {format_number(high)}")
        self._set_controls(value)

    def _set_controls(self, value: float) -> None:
        low, high = self._slider_range
        self.slider.blockSignals(True)
        self.spin.blockSignals(True)
        self.slider.setValue(round((value - low) / (high - low) * SLIDER_STEPS))
        self.spin.setValue(value)
        self.slider.blockSignals(False)
        self.spin.blockSignals(False)

    def _on_slider_moved(self, position: int) -> None:
        low, high = self._slider_range
        value = low + (high - low) * position / SLIDER_STEPS
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self._emit_timer.start()

    def _on_spin_changed(self, value: float) -> None:
        self._emit_timer.start()

    def _emit_slider_value(self) -> None:
        if self._slider_name is not None:
            self.valueEdited.emit(self._slider_name, float(self.spin.value()))


def _scalar(leaf: LeafVariable | None) -> float:
    """The number a one-element floating-point leaf holds (see ``_is_scalar``)."""
    value = leaf.value if leaf is not None else None
    if not isinstance(value, torch.Tensor):
        raise TypeError("not a tensor leaf")
    return float(value.reshape(()).item())
