"""Narrated steps: the current step of a pass in plain words, with the trace's own numbers.

Each sentence is built from the recorded pass: what the node received (and, at a node with
several consumers, how those gradients added up), its local rule from ``node_docs``, the
arithmetic with the saved values filled in, and where each result went. The results shown are
always the engine's own numbers from the step; the formulas only explain how they came about.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import torch

from explorer.core.capture.saved import Freed
from explorer.core.capture.tensors import TensorLike, describe, format_number, norm_of
from explorer.core.capture.trace import Pass, Step
from explorer.core.view.node_docs import NodeDoc, describe_node, input_label
from explorer.core.view.stepper import Stepper

ACCUMULATE = "torch::autograd::AccumulateGrad"
SHOWN_VALUES = 6  # tensors up to this many elements are written out in full

# Per node kind, one formula per input slot. ``{grad}`` is the gradient the node received;
# other fields name what the node saved in the forward pass (``_saved_<field>``).
FORMULAS: dict[str, tuple[str, ...]] = {
    "AddBackward0": ("{grad}", "{alpha} · {grad}"),
    "AddBackward1": ("{grad}",),
    "SubBackward0": ("{grad}", "−{alpha} · {grad}"),
    "SubBackward1": ("{grad}",),
    "RsubBackward0": ("−{alpha} · {grad}", "{grad}"),
    "RsubBackward1": ("−{grad}",),
    "MulBackward0": ("{grad} · {other}", "{grad} · {self}"),
    "MulBackward1": ("{grad} · {other}",),
    "DivBackward0": ("{grad} / {other}", "−{grad} · {self} / {other}²"),
    "DivBackward1": ("{grad} / {other}",),
    "NegBackward0": ("−{grad}",),
    "PowBackward0": ("{grad} · {exponent} · {self}^({exponent} − 1)",),
    "PowBackward1": ("{grad} · {exponent} · {self}^({exponent} − 1)", "{grad} · {result} · ln({self})"),
    "ExpBackward0": ("{grad} · {result}",),
    "Exp2Backward0": ("{grad} · {result} · ln 2",),
    "LogBackward0": ("{grad} / {self}",),
    "Log1PBackward0": ("{grad} / (1 + {self})",),
    "SinBackward0": ("{grad} · cos({self})",),
    "CosBackward0": ("−{grad} · sin({self})",),
    "TanBackward0": ("{grad} · (1 + {result}²)",),
    "TanhBackward0": ("{grad} · (1 − {result}²)",),
    "SigmoidBackward0": ("{grad} · {result} · (1 − {result})",),
    "ReluBackward0": ("{grad} · [{result} > 0]",),
    "SqrtBackward0": ("{grad} / (2 · {result})",),
    "RsqrtBackward0": ("−{grad} · {result}³ / 2",),
    "ReciprocalBackward0": ("−{grad} · {result}²",),
    "AbsBackward0": ("{grad} · sign({self})",),
    "SinhBackward0": ("{grad} · cosh({self})",),
    "CoshBackward0": ("{grad} · sinh({self})",),
    "AtanBackward0": ("{grad} / (1 + {self}²)",),
    "AsinBackward0": ("{grad} / √(1 − {self}²)",),
    "AcosBackward0": ("−{grad} / √(1 − {self}²)",),
    "ErfBackward0": ("{grad} · 2/√π · exp(−{self}²)",),
    "LeakyReluBackward0": ("{grad} · (1 if {self} > 0 else {negative_slope})",),
    "SiluBackward0": ("{grad} · σ({self}) · (1 + {self} · (1 − σ({self})))",),
    "GeluBackward0": ("{grad} · (Φ({self}) + {self} · φ({self}))",),
    "SoftplusBackward0": ("{grad} · σ({beta} · {self})",),
    "SumBackward0": ("{grad}, copied to every element",),
    "SumBackward1": ("{grad}, copied along the summed dimension",),
    "MeanBackward0": ("{grad} / {self_sym_numel}, for every element",),
    "MeanBackward1": ("{grad} / (size of the averaged dimension), for every element",),
    "ProdBackward0": ("{grad} · {result} / {self}",),
    "MmBackward0": ("{grad} @ {mat2}ᵀ", "{self}ᵀ @ {grad}"),
    "MvBackward0": ("{grad} ⊗ {vec}", "{self}ᵀ @ {grad}"),
    "DotBackward0": ("{grad} · {tensor}", "{grad} · {self}"),
    "BmmBackward0": ("{grad} @ {mat2}ᵀ", "{self}ᵀ @ {grad}"),
    "AddmmBackward0": ("{beta} · {grad}", "{alpha} · {grad} @ {mat2}ᵀ", "{alpha} · {mat1}ᵀ @ {grad}"),
    "SoftmaxBackward0": ("{result} ⊙ ({grad} − Σ({grad} ⊙ {result}))",),
    "LogSoftmaxBackward0": ("{grad} − softmax · Σ {grad}",),
    "NllLossBackward0": ("−{grad} at each row's target entry (÷ batch size for a mean), 0 elsewhere",),
    "MseLossBackward0": ("{grad} · 2 · ({self} − {target}) / n", "−{grad} · 2 · ({self} − {target}) / n"),
    "MaximumBackward0": ("{grad} where {self} > {other}", "{grad} where {other} > {self}"),
    "MinimumBackward0": ("{grad} where {self} < {other}", "{grad} where {other} < {self}"),
    "ClampBackward1": ("{grad} where {min} ≤ {self} ≤ {max}, else 0",),
    "RoundBackward0": ("0 · {grad}",),
    "SignBackward0": ("0 · {grad}",),
    "FloorBackward0": ("0 · {grad}",),
    "CeilBackward0": ("0 · {grad}",),
    "ExpandBackward0": ("{grad} summed back to the input's shape",),
    "ViewBackward0": ("{grad} reshaped back to the input's shape",),
    "UnsafeViewBackward0": ("{grad} reshaped back to the input's shape",),
    "TBackward0": ("{grad}ᵀ",),
    "TransposeBackward0": ("{grad} with the two dimensions swapped back",),
    "PermuteBackward0": ("{grad} with the dimensions put back in order",),
    "UnsqueezeBackward0": ("{grad} without the added dimension",),
    "SqueezeBackward0": ("{grad} with the removed dimensions put back",),
    "SqueezeBackward1": ("{grad} with the removed dimension put back",),
    "SelectBackward0": ("{grad} placed at the selected index, 0 elsewhere",),
    "SliceBackward0": ("{grad} placed in the slice, 0 elsewhere",),
    "IndexBackward0": ("{grad} added at the indexed positions, 0 elsewhere",),
    "CloneBackward0": ("{grad}",),
    "ToCopyBackward0": ("{grad}, converted back to the input's dtype",),
    "WhereBackward0": ("{grad} where the condition holds, else 0", "{grad} where it does not, else 0"),
    "MaskedFillBackward0": ("{grad} with the filled positions set to 0",),
    "SteRoundBackward": ("{grad}  (straight through: round is treated as the identity)",),
    "SteSignBackward": ("{grad} · [|x| ≤ 1]  (straight through inside [−1, 1])",),
}

# How the saved fields read in a formula when they are not plain numbers.
_SYMBOLS = {"result": "out", "exponent": "p", "alpha": "α", "beta": "β", "self_sym_numel": "n",
            "mat1": "A", "mat2": "B", "vec": "v", "tensor": "b", "negative_slope": "slope",
            "target": "target", "min": "min", "max": "max"}
_FIELD = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[a-z]{4,}")
_MATH_WORDS = frozenset({"sinh", "cosh"})

# A few ops written by users as custom autograd Functions have no notes in node_docs.
_EXTRA_DOCS = {
    "SteRoundBackward": NodeDoc("SteRoundBackward", "Straight-through round",
                                "out = round(x) (the code box's ste_round)",
                                "grad_x = grad: backward pretends round was the identity", ("x",)),
    "SteSignBackward": NodeDoc("SteSignBackward", "Straight-through sign",
                               "out = sign(x) (the code box's ste_sign)",
                               "grad_x = grad where |x| ≤ 1, else 0 (the slope of hardtanh)", ("x",)),
}


@dataclass(frozen=True)
class Narration:
    """The story of one position in a pass: a title and a few paragraphs of plain text."""

    title: str
    paragraphs: tuple[str, ...]

    def text(self) -> str:
        return "\n\n".join((self.title, *self.paragraphs))


def node_doc(name: str) -> NodeDoc:
    """Notes for a node kind, including our own surrogate Functions."""
    return _EXTRA_DOCS.get(name) or describe_node(name)


def narrated_kinds() -> frozenset[str]:
    """Node kinds whose arithmetic is written out with the numbers filled in."""
    return frozenset(FORMULAS) | {ACCUMULATE}


def narrate(one_pass: Pass, stepper: Stepper) -> Narration:
    """Explain the stepper's current position: the start, or the step just run."""
    if stepper.position == 0:
        return _narrate_start(one_pass, stepper)
    return narrate_step(one_pass, stepper, stepper.position - 1)


def narrate_step(one_pass: Pass, stepper: Stepper, index: int) -> Narration:
    """Explain step ``index`` (0-based) with the running sums as they stand at that step."""
    step = one_pass.steps[index]
    data = one_pass.graph.nodes[step.node]
    doc = node_doc(data["name"])
    title = f"Step {index + 1} of {len(one_pass.steps)}: {display_name(one_pass, step.node)} — {doc.title}"
    paragraphs = [_received(one_pass, stepper, step.node, step.grad_outputs, step)]
    if data["name"] == ACCUMULATE:
        paragraphs.append(_accumulated(one_pass, step.node, step.grad_outputs, step))
        paragraphs.extend(_grad_hook(one_pass, step))
        return Narration(title, tuple(paragraphs))
    paragraphs.append(f"In the forward pass it computed {doc.computes}.")
    paragraphs.append(f"Its local rule: {doc.rule}.")
    paragraphs.extend(_sent(one_pass, step.node, doc, step.grad_outputs, step.grad_inputs, step))
    return Narration(title, tuple(paragraphs))


def display_name(one_pass: Pass, node_id: str) -> str:
    """``MulBackward0``, or ``AddBackward0 (y)`` when the node made a named variable."""
    data = one_pass.graph.nodes[node_id]
    variable = data.get("variable")
    if data["name"] == ACCUMULATE:
        return f"the .grad collector of {variable}" if variable else "a leaf's .grad collector"
    expression = data.get("expression")
    if expression:  # the code that made it, as written: "MulBackward0 (y = 5 * …, line 3)"
        said = f"{variable} = {expression}" if variable else expression
        return f"{data['name']} ({said}, line {data['line']})" if data.get("line") else f"{data['name']} ({said})"
    return f"{data['name']} ({variable})" if variable else str(data["name"])


def _narrate_start(one_pass: Pass, stepper: Stepper) -> Narration:
    root = one_pass.roots[0]
    seed = one_pass.seeds[0] if one_pass.seeds else None
    seed_text = "1 (dy/dy = 1 for a scalar output)" if seed is None else describe(seed)
    title = f"Before step 1 of {stepper.count}: nothing has run yet"
    where = "autograd.grad()" if one_pass.call == "autograd.grad" else "backward()"
    first = (f"{where} starts at the output's node {display_name(one_pass, root)} and hands it "
             f"the seed gradient grad = {seed_text}.")
    order = ("The engine then runs each node once all the gradients it will receive have "
             "arrived, and sends each result on to the node that produced that input.")
    return Narration(title, (first, order) + ((one_pass.note,) if one_pass.note else ()))


def _received(one_pass: Pass, stepper: Stepper, node_id: str,
              grad_outputs: tuple[TensorLike | None, ...], step: Step | None = None) -> str:
    sentences = []
    for output_nr, grad in enumerate(grad_outputs):
        which = "" if len(grad_outputs) == 1 else f" for output {output_nr}"
        if grad is None:
            sentences.append(f"It received no gradient{which}.")
            continue
        changed = step.hook_change("grad_outputs", output_nr) if step is not None else None
        if changed is not None:  # tell what was sent, then what the user's hook made of it
            hooked = grad
            grad = changed.before
        deliveries = stepper.inflow(node_id, output_nr).deliveries
        if not deliveries:
            sentences.append(f"It received grad = {value_text(grad)}{which}: the seed the pass starts with.")
        elif len(deliveries) == 1:
            sender = display_name(one_pass, deliveries[0].source)
            sentences.append(f"It received grad = {value_text(grad)}{which} from {sender}.")
        else:
            senders = _listed([item.source for item in deliveries], one_pass)
            grads = [item.grad for item in deliveries]
            if all(math.prod(grad.shape) == 1 for grad in grads):
                sentences.append(f"{len(deliveries)} consumers sent gradients{which} ({senders}); "
                                 f"they add up: grad = {_summed(grads)} = {value_text(grad)}.")
            else:  # "4, ‖·‖=0 + 4, ‖·‖=1.6" reads badly: name the shape once, then the norms
                sentences.append(f"{len(deliveries)} consumers sent gradients{which} ({senders}) "
                                 f"of shape {_shape(grads[0])}, with norms {_norms(grads)}; "
                                 f"they add up to grad = {value_text(grad)}.")
        if changed is not None:
            sentences.append(f"Then a hook registered by the program changed it to grad = "
                             f"{value_text(hooked)}, and this node works with the changed gradient.")
    return " ".join(sentences) or "It received no gradient."


_SHOWN_TERMS = 6  # a loop can feed one node hundreds of times: name the first few


def _listed(nodes: list[str], one_pass: Pass) -> str:
    names = [display_name(one_pass, node) for node in nodes[:_SHOWN_TERMS + 1]]
    if len(nodes) <= _SHOWN_TERMS:
        return ", ".join(names)
    return ", ".join(names[:_SHOWN_TERMS]) + f" and {len(nodes) - _SHOWN_TERMS} more"


def _shape(grad: TensorLike) -> str:
    return "×".join(str(size) for size in grad.shape) or "scalar"


def _norms(grads: list[TensorLike]) -> str:
    """The norms of the first terms and the last, as ``_summed`` shows the terms."""
    shown = grads if len(grads) <= _SHOWN_TERMS else grads[:_SHOWN_TERMS - 1] + [grads[-1]]
    norms = [format_number(norm_of(grad)) for grad in shown]
    if len(grads) <= _SHOWN_TERMS:
        return ", ".join(norms)
    return ", ".join(norms[:-1]) + f", … ({len(grads) - _SHOWN_TERMS} more), {norms[-1]}"


def _summed(grads: list[TensorLike]) -> str:
    """The first terms and the last; only those are described (a loop can send thousands)."""
    if len(grads) <= _SHOWN_TERMS:
        return " + ".join(describe(grad) for grad in grads)
    shown = [describe(grad) for grad in grads[:_SHOWN_TERMS - 1]]
    return " + ".join(shown) + f" + … ({len(grads) - _SHOWN_TERMS} more) + {describe(grads[-1])}"


def _accumulated(one_pass: Pass, node_id: str, grad_outputs: tuple[TensorLike | None, ...],
                 step: Step | None = None) -> str:
    variable = one_pass.graph.nodes[node_id].get("variable") or "the leaf"
    before = one_pass.grads_before.get(node_id)
    hooked = step.hook_change("grad", 0) if step is not None else None
    after = one_pass.grads_after.get(node_id) if hooked is None else hooked.before
    arrived = describe(grad_outputs[0]) if grad_outputs else "None"
    if before is None:
        return (f"{variable}.grad was None, so the gradient is stored as it is: "
                f"{variable}.grad = {value_text(after)}.")
    return (f"{variable}.grad already held {describe(before)}, and gradients accumulate: "
            f"{variable}.grad = {describe(before)} + {arrived} = {value_text(after)}.")


def _grad_hook(one_pass: Pass, step: Step) -> list[str]:
    """A post-accumulate-grad hook that left ``.grad`` other than accumulation made it."""
    changed = step.hook_change("grad", 0)
    if changed is None:
        return []
    variable = one_pass.graph.nodes[step.node].get("variable") or "the leaf"
    after = one_pass.grads_after.get(step.node)
    return [f"Then a post-accumulate-grad hook registered by the program ran: accumulation gave "
            f"{value_text(changed.before)}, and the hook left {variable}.grad = {value_text(after)}."]


def _sent(one_pass: Pass, node_id: str, doc: NodeDoc, grad_outputs: tuple[TensorLike | None, ...],
          grad_inputs: tuple[TensorLike | None, ...], step: Step | None = None) -> list[str]:
    graph = one_pass.graph
    targets = {slot: target for _, target, slot in graph.out_edges(node_id, keys=True)}
    saved = graph.nodes[node_id].get("saved", {})
    formulas = FORMULAS.get(graph.nodes[node_id]["name"], ())
    grad = grad_outputs[0] if grad_outputs else None
    lines = []
    for slot, result in enumerate(grad_inputs):
        label = input_label(doc, slot)
        if result is None or slot not in targets:
            lines.append(f"grad_{label}: none (this input is a constant or needs no gradient).")
            continue
        parts = _arithmetic(formulas[slot], grad, saved, doc) if slot < len(formulas) else []
        parts.append(value_text(result))
        equation = " = ".join(part for index, part in enumerate(parts)
                              if index == 0 or part != parts[index - 1])
        destination = display_name(one_pass, targets[slot])
        changed = step.hook_change("grad_inputs", slot) if step is not None else None
        hooked = "" if changed is None else (f" (a backward hook of the module replaced "
                                             f"{value_text(changed.before)} with it)")
        lines.append(f"grad_{label} = {equation}{hooked} → sent to {destination}.")
    return lines


def _arithmetic(template: str, grad: TensorLike | None, saved: dict[str, Any],
                doc: NodeDoc) -> list[str]:
    """``["grad · b", "1 · 5"]``: the formula, then the numbers when every one is a scalar."""
    values = {"grad": grad, **saved}
    names = _FIELD.findall(template)
    symbolic = _FIELD.sub(lambda match: _symbol(match.group(1), doc), template)
    numbers = {name: _scalar_text(values.get(name)) for name in names}
    if _is_prose(template) or any(text is None for text in numbers.values()):
        return [symbolic]
    return [symbolic, _FIELD.sub(lambda match: str(numbers[match.group(1)]), template)]


def _is_prose(template: str) -> bool:
    """Formulas written in words ("copied to every element") read badly with numbers put in."""
    words = _WORD.findall(_FIELD.sub("", template))
    return any(word not in _MATH_WORDS for word in words)


def _symbol(name: str, doc: NodeDoc) -> str:
    if name == "grad":
        return "grad"
    if name == "self":
        return input_label(doc, 0)
    if name == "other":
        return input_label(doc, 1) if len(doc.inputs) > 1 else "c"
    return _SYMBOLS.get(name, name)


def value_text(value: TensorLike | None) -> str:
    """``describe`` plus the values themselves for a tensor small enough to read at a glance."""
    text = describe(value)
    if isinstance(value, torch.Tensor) and 1 < value.numel() <= SHOWN_VALUES:
        numbers = ", ".join(format_number(item, 4) for item in value.detach().flatten().tolist())
        text += f" [{numbers}]"
    return text


def _scalar_text(value: Any) -> str | None:
    """A plain number's text, or None for tensors with several elements (shown as results only)."""
    if isinstance(value, Freed) or value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        text = describe(value)
        return f"({text})" if text.startswith("-") else text
    return None
