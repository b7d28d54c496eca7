"""Phase 1, layers: longest path from the sources, then nodes pulled down to their consumers."""

from __future__ import annotations


def assign_layers(count: int, sources: list[int], targets: list[int]) -> list[int]:
    """Longest path from the data-flow sources, then pull nodes down towards their consumers."""
    inputs: list[list[int]] = [[] for _ in range(count)]
    consumers: list[list[int]] = [[] for _ in range(count)]
    for source, target in zip(sources, targets):
        inputs[target].append(source)
        consumers[source].append(target)
    topological = _topological_order(count, inputs, consumers)
    layer = [0] * count
    for node in topological:
        below = layer[node] + 1
        for consumer in consumers[node]:
            if layer[consumer] < below:
                layer[consumer] = below
    _pull_down(topological, inputs, consumers, layer)
    return layer


def _topological_order(count: int, inputs: list[list[int]],
                       consumers: list[list[int]]) -> list[int]:
    """Kahn's algorithm in data-flow direction; ties in graph order, so it is deterministic."""
    waiting = [len(edges) for edges in inputs]
    ready = [node for node in range(count) if waiting[node] == 0]
    cursor = 0
    while cursor < len(ready):
        node = ready[cursor]
        cursor += 1
        for consumer in consumers[node]:
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                ready.append(consumer)
    if len(ready) != count:
        raise ValueError("the graph has a cycle: an autograd graph never does")
    return ready


def _pull_down(topological: list[int], inputs: list[list[int]], consumers: list[list[int]],
               layer: list[int]) -> None:
    """Move a node to just above its first consumer when that shortens its edges in total.

    Its outgoing edges shrink and its incoming ones grow, except those from inputs that follow
    it: inputs used by nothing else whose own inputs follow them too (a leaf, or a small tree
    of leaves and ops feeding only this node). On a tie the node still moves when every edge
    that grows comes from an input used elsewhere too: that input's long edges share one bus,
    so a weight used at every step of a loop gets one line down the side instead of its uses
    all waiting at the top. Visiting consumers first, one pass suffices for this greedy rule.
    """
    distinct_consumers = [len(set(below)) for below in consumers]
    follows = [False] * len(layer)
    for node in topological:
        follows[node] = (distinct_consumers[node] == 1
                         and all(follows[source] for source in inputs[node]))
    for node in reversed(topological):
        below = consumers[node]
        if not below:
            continue
        target = min(layer[consumer] for consumer in below) - 1
        if target <= layer[node]:
            continue
        stretched = [source for source in inputs[node] if not follows[source]]
        shrunk = len(below)
        if shrunk > len(stretched) or (
                shrunk == len(stretched)
                and all(distinct_consumers[source] > 1 for source in stretched)):
            layer[node] = target
