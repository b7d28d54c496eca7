"""Step through a recorded pass, forward and back, one engine step at a time."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import Enum

import torch

from explorer.core.capture.tensors import TensorLike, TensorSummary
from explorer.core.capture.trace import Pass
from explorer.core.view.scene_model import NodeState  # callers import it from here too


class StepMove(str, Enum):
    """A move of the stepper the user can ask for."""

    NEXT = "next"
    PREVIOUS = "previous"
    RESET = "reset"  # to step 0, before anything has run
    END = "end"  # the whole pass run
    JUMP = "jump"  # to a given position


@dataclass(frozen=True)
class Delivery:
    """A gradient sent along one edge, from ``source`` slot ``slot`` into ``target``."""

    source: str
    target: str
    slot: int
    input_nr: int
    grad: TensorLike


@dataclass
class Inflow:
    """Gradients that reached one input of a node so far, and their running sum."""

    deliveries: list[Delivery] = field(default_factory=list)
    totals: list[TensorLike] = field(default_factory=list)

    @property
    def total(self) -> TensorLike | None:
        return self.totals[-1] if self.totals else None


class Stepper:
    """A position 0..N over a pass: position k means the first k steps have run.

    Moving forward applies one step's deliveries; moving back undoes exactly them, so any
    position shows the same state however it was reached.

    ``follow`` limits the gradients it keeps to those sent into these nodes (their inflows and
    running sums; every node's state is still known): a summary picture shows the sums of a
    few dozen boxes of a 10,000-node pass. None follows every node.
    """

    def __init__(self, one_pass: Pass, follow: Collection[str] | None = None) -> None:
        self.one_pass = one_pass
        self.position = 0
        self._executed_at = {step.node: index for index, step in enumerate(one_pass.steps)}
        if follow is None:
            self._step_deliveries = [self._deliveries_of(index) for index in range(self.count)]
        else:
            self._step_deliveries = self._deliveries_into(follow)
        self._engine_totals = self._engine_sums()
        self.inflows: dict[tuple[str, int], Inflow] = {}

    @property
    def count(self) -> int:
        return len(self.one_pass.steps)

    @property
    def active_node(self) -> str | None:
        return self.one_pass.steps[self.position - 1].node if self.position else None

    @property
    def at_end(self) -> bool:
        return self.position == self.count

    def next(self) -> bool:
        if self.position >= self.count:
            return False
        for delivery in self._step_deliveries[self.position]:
            self._deliver(delivery)
        self.position += 1
        return True

    def previous(self) -> bool:
        if self.position == 0:
            return False
        self.position -= 1
        for delivery in reversed(self._step_deliveries[self.position]):
            self._undeliver(delivery)
        return True

    def jump(self, position: int) -> None:
        position = max(0, min(position, self.count))
        while self.position < position:
            self.next()
        while self.position > position:
            self.previous()

    def reset(self) -> None:
        self.jump(0)

    def to_end(self) -> None:
        self.jump(self.count)

    def step_index(self, node_id: str) -> int | None:
        """The index of the step that runs ``node_id`` (None when the engine never runs it)."""
        return self._executed_at.get(node_id)

    def has_run(self, node_id: str) -> bool:
        """Whether the engine has run ``node_id`` by this position (the active one included)."""
        index = self._executed_at.get(node_id)
        return index is not None and index < self.position

    def node_state(self, node_id: str) -> NodeState:
        index = self._executed_at.get(node_id)
        if index is None:
            return NodeState.UNREACHED
        if index == self.position - 1:
            return NodeState.ACTIVE
        return NodeState.DONE if index < self.position else NodeState.WAITING

    def node_states(self) -> dict[str, NodeState]:
        return {node_id: self.node_state(node_id) for node_id in self.one_pass.graph.nodes}

    def deliveries_of(self, node_id: str) -> list[Delivery]:
        """The gradients ``node_id``'s step sends (none if the engine never runs it)."""
        index = self._executed_at.get(node_id)
        return [] if index is None else self._step_deliveries[index]

    def delivered(self) -> list[Delivery]:
        """Every gradient sent so far, in the order the engine sent them."""
        return [item for deliveries in self._step_deliveries[: self.position] for item in deliveries]

    def inflow(self, node_id: str, input_nr: int = 0) -> Inflow:
        return self.inflows.get((node_id, input_nr), Inflow())

    def leaf_grad(self, node_id: str) -> TensorLike | None:
        """The ``.grad`` of the leaf behind an AccumulateGrad node at this position."""
        if self.has_run(node_id):
            return self.one_pass.grads_after.get(node_id)
        return self.one_pass.grads_before.get(node_id)

    def leaf_grads(self) -> dict[str, TensorLike | None]:
        """Each named leaf's ``.grad`` at this position, by variable name."""
        graph = self.one_pass.graph
        named = dict(self.one_pass.grads)
        for node_id in self.one_pass.grads_before:
            name = graph.nodes[node_id]["variable"]
            if name is not None:
                named[name] = self.leaf_grad(node_id)
        return named

    def _deliveries_of(self, index: int) -> list[Delivery]:
        step = self.one_pass.steps[index]
        successors = self.one_pass.graph.succ[step.node]  # a view: cheaper than out_edges(...)
        deliveries = []
        for target, by_slot in successors.items():
            for slot, data in by_slot.items():
                grad = step.grad_inputs[slot] if slot < len(step.grad_inputs) else None
                if grad is not None:
                    deliveries.append(Delivery(step.node, target, slot, data["input_nr"], grad))
        deliveries.sort(key=lambda delivery: delivery.slot)
        return deliveries

    def _deliveries_into(self, follow: Collection[str]) -> list[list[Delivery]]:
        """Each step's deliveries into ``follow`` only, as :meth:`_deliveries_of` lists them."""
        steps, predecessors = self.one_pass.steps, self.one_pass.graph.pred
        by_step: list[list[Delivery]] = [[] for _ in steps]
        for target in follow:
            for source, by_slot in predecessors[target].items():
                index = self._executed_at.get(source)
                if index is None:
                    continue
                grads = steps[index].grad_inputs
                for slot, data in by_slot.items():
                    grad = grads[slot] if slot < len(grads) else None
                    if grad is not None:
                        by_step[index].append(Delivery(source, target, slot, data["input_nr"], grad))
        for deliveries in by_step:
            if len(deliveries) > 1:
                deliveries.sort(key=lambda delivery: delivery.slot)
        return by_step

    def _engine_sums(self) -> dict[tuple[str, int], tuple[int, TensorLike]]:
        """For each input the engine later runs: how many gradients arrive, and their sum.

        Once the last one has arrived the running sum shown is the engine's own number (as the
        senders delivered it: what a user's hook then made of it is the step's to show).
        """
        counts: dict[tuple[str, int], int] = {}
        for deliveries in self._step_deliveries:
            for delivery in deliveries:
                key = (delivery.target, delivery.input_nr)
                counts[key] = counts.get(key, 0) + 1
        totals: dict[tuple[str, int], tuple[int, TensorLike]] = {}
        for key, count in counts.items():
            index = self._executed_at.get(key[0])
            if index is None:
                continue
            step = self.one_pass.steps[index]
            outputs = step.grad_outputs
            total = outputs[key[1]] if key[1] < len(outputs) else None
            changed = step.hook_change("grad_outputs", key[1])
            if changed is not None:  # the sum arrived as sent; a hook then changed what ran
                total = changed.before
            if total is not None:
                totals[key] = (count, total)
        return totals

    def _deliver(self, delivery: Delivery) -> None:
        key = (delivery.target, delivery.input_nr)
        inflow = self.inflows.setdefault(key, Inflow())
        previous = inflow.total
        inflow.deliveries.append(delivery)
        expected = self._engine_totals.get(key)
        if expected is not None and expected[0] == len(inflow.deliveries):
            inflow.totals.append(expected[1])
        elif previous is None:
            inflow.totals.append(delivery.grad)
        else:
            inflow.totals.append(_add(previous, delivery.grad))

    def _undeliver(self, delivery: Delivery) -> None:
        key = (delivery.target, delivery.input_nr)
        inflow = self.inflows[key]
        inflow.deliveries.pop()
        inflow.totals.pop()
        if not inflow.deliveries:
            del self.inflows[key]


def _add(total: TensorLike, grad: TensorLike) -> TensorLike:
    if isinstance(total, torch.Tensor) and isinstance(grad, torch.Tensor):
        return total + grad
    return summarize_sum(total, grad)


def summarize_sum(total: TensorLike, grad: TensorLike) -> TensorLike:
    """A partial sum of tensors kept only as summaries: its statistics are unknown."""
    nan = float("nan")
    return TensorSummary(tuple(grad.shape), grad.dtype, nan, nan, nan, nan)
