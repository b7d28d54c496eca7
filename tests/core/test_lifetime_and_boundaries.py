"""No graph outlives its trace, deep graphs need no recursion, and the core never imports Qt."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import networkx as nx
import torch

from explorer.core import run_program
from explorer.core.capture.graph import Naming, walk
from explorer.core.capture.recorder import PassRequest, record_pass
from explorer.core.sandbox.program import on_big_stack
from explorer.core.view.diagnostics import gradient_magnitudes
from explorer.core.view.folding import automatic_groups, fold, fold_scene
from explorer.core.view.layout import layered_layout
from explorer.core.view.narration import narrate
from explorer.core.view.scene import build_scene
from explorer.core.view.stepper import Stepper
from explorer.core.view.warm import warm_views


def _holds_graph(value, seen=None) -> bool:
    """Whether any autograd node or tensor with a graph is reachable inside ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, torch.autograd.graph.Node):
        return True
    if isinstance(value, torch.Tensor):
        return value.grad_fn is not None or value.requires_grad
    if isinstance(value, nx.Graph):
        return any(_holds_graph(data, seen) for _, data in value.nodes(data=True)) or any(
            _holds_graph(data, seen) for *_, data in value.edges(data=True))
    if isinstance(value, dict):
        return any(_holds_graph(item, seen) for item in value.values())
    if isinstance(value, (list, tuple, set)):
        return any(_holds_graph(item, seen) for item in value)
    if hasattr(value, "__dataclass_fields__"):
        return any(_holds_graph(getattr(value, name), seen) for name in value.__dataclass_fields__)
    return False


def test_a_trace_holds_no_graph_and_no_live_tensor() -> None:
    trace = run_program("x = torch.randn(5, requires_grad=True)\ny = (x.exp() * x).sum()\n"
                        "(g,) = torch.autograd.grad(y, x, create_graph=True)\ng.sum().backward()\n")
    assert trace.ok and len(trace.passes) == 2
    assert not _holds_graph(trace)


def test_a_trace_and_every_view_of_it_are_freed_without_the_cycle_collector() -> None:
    """The app freezes big traces out of the cycle collector's reach (ui/runner.py), so a
    trace, and what the views make from it, may hold no reference cycle."""
    trace = run_program("x = torch.randn(3, requires_grad=True)\nh = x\nfor i in range(4):\n"
                        "    h = h + torch.tanh(h * x)\nh.sum().backward()\n")
    one_pass = trace.passes[0]
    stepper = Stepper(one_pass)
    stepper.to_end()
    scene = build_scene(one_pass, stepper, trace.leaves)
    warm_views(trace, 0)
    gradient_magnitudes(one_pass)
    narrate(one_pass, stepper)
    layered_layout(one_pass.graph)
    groups = automatic_groups(one_pass.graph)
    folded, owner = fold(one_pass.graph, groups[:1])
    fold_scene(scene, folded, owner)
    for graph in (one_pass.graph, folded):  # networkx caches views on first use
        for view in ("nodes", "edges", "out_edges", "in_edges", "degree", "in_degree",
                     "out_degree", "adj", "succ", "pred"):
            getattr(graph, view)
    made = [weakref.ref(item) for item in (trace, one_pass, one_pass.graph, folded, stepper)]
    gc.collect()
    gc.disable()
    try:
        del trace, one_pass, stepper, scene, groups, folded, owner, graph
        assert [ref() for ref in made] == [None] * len(made)
    finally:
        gc.enable()


def _record_and_forget() -> tuple[weakref.ref, object]:
    x = torch.randn(100, requires_grad=True)
    y = (x.sin() * x).sum()
    request = PassRequest("backward", 1, [y], [None], True, False)
    one_pass, _ = record_pass(request, lambda: y.backward(retain_graph=True), naming=Naming(),
                              index=0, named_leaves={"x": x})
    return weakref.ref(x), one_pass


def test_recording_keeps_no_graph_alive() -> None:
    # the leaf lives as long as its AccumulateGrad node: if hooks or the pass kept the graph,
    # the leaf would survive here.
    leaf, one_pass = _record_and_forget()
    gc.collect()
    assert leaf() is None
    assert len(one_pass.steps) == one_pass.graph.number_of_nodes()


def test_hooks_are_removed_after_the_pass() -> None:
    x = torch.randn(3, requires_grad=True)
    y = (x * 2).sum()
    request = PassRequest("backward", 1, [y], [None], True, False)
    one_pass, _ = record_pass(request, lambda: y.backward(retain_graph=True), naming=Naming(),
                              index=0, named_leaves={})
    steps = len(one_pass.steps)
    y.backward()
    assert len(one_pass.steps) == steps
    assert x.grad is not None and torch.equal(x.grad, torch.full((3,), 4.0))


def _walk_a_deep_chain() -> int:
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    return walk([y.grad_fn]).graph.number_of_nodes()


def test_deep_graphs_need_no_recursion() -> None:
    # torch frees a graph whose nodes Python has seen recursively: free it on a big stack
    assert on_big_stack(_walk_a_deep_chain) == 100_001
    trace = run_program("x = torch.tensor(1.0, requires_grad=True)\ny = x\nfor i in range(20000):\n"
                        "    y = y * 1.0001\ny.backward()\n")
    assert trace.ok and len(trace.passes[0].steps) == 20_001


def test_core_imports_without_qt() -> None:
    blocker = ("import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
               "        if name.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'qtpy'):\n"
               "            raise ImportError('Qt is blocked: ' + name)\n"
               "sys.meta_path.insert(0, Block())\n"
               "import importlib, pkgutil, explorer, explorer.core, explorer.cli, explorer.examples\n"
               "for module in pkgutil.walk_packages(explorer.core.__path__, 'explorer.core.'):\n"
               "    importlib.import_module(module.name)  # every core module, not just the package\n"
               "from explorer.core import run_program\n"
               "assert run_program('x = torch.tensor(1.0, requires_grad=True)\\n(x * 2).backward()\\n').ok\n"
               "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_a_program_with_a_very_deep_graph_ends_cleanly() -> None:
    # without the big stack the process died with a segmentation fault freeing this graph
    program = ("from explorer.core import run_program\n"
               "t = run_program('x = torch.tensor(1.0, requires_grad=True)\\ny = x\\n"
               "for i in range(80000):\\n    y = y * 1.0\\ny.backward()\\n')\n"
               "import gc\n"
               "gc.collect()\n"  # nothing of the program may be left for a collection here
               "print(t.error, len(t.passes[0].steps))\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["None", "80001"]
