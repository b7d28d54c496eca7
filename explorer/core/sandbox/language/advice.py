"""One sentence of plain advice for the errors people meet most."""

from __future__ import annotations

_ADVICE: list[tuple[str, str]] = [
    (
        "backward through the graph a second time",
        "the first backward() freed the graph's saved tensors; pass retain_graph=True to the "
        "first call, or recompute the output before calling backward() again",
    ),
    (
        "grad can be implicitly created only for scalar outputs",
        "backward() needs a single number: reduce the output first (e.g. y.sum() or y.mean()) "
        "or pass gradient=torch.ones_like(y)",
    ),
    (
        "does not require grad and does not have a grad_fn",
        "nothing in this value depends on a tensor created with requires_grad=True, or it was "
        "computed under torch.no_grad() or detach()",
    ),
    (
        "a leaf Variable that requires grad is being used in an in-place operation",
        "change a leaf's values inside `with torch.no_grad():`, or use an out-of-place op",
    ),
    (
        "'NoneType' object has no attribute",
        "the value is None; a leaf's .grad stays None until a backward pass reaches it",
    ),
    (
        "mat1 and mat2 shapes cannot be multiplied",
        "in a @ b the last dimension of a must equal the first dimension of b",
    ),
    (
        "must match the size of tensor",
        "the shapes cannot be broadcast together; check each tensor's .shape",
    ),
    (
        "One of the differentiated Tensors appears to not have been used in the graph",
        "that input does not affect the output; pass allow_unused=True to get None for it",
    ),
    (
        "modified by an inplace operation",
        "a tensor saved for backward was changed in place afterwards; use an out-of-place op",
    ),
    (
        "Boolean value of Tensor with more than one value is ambiguous",
        "use .any() or .all(), or compare a single element",
    ),
    (
        "Only Tensors of floating point and complex dtype can require gradients",
        "write the numbers with a decimal point (2.0) or pass dtype=torch.float32",
    ),
    (
        "is not defined",
        "assign the name before using it",
    ),
    *(
        (fragment, "no GPU here: the code box runs on the CPU; use device='cpu' or "
                   "torch.device('cuda' if torch.cuda.is_available() else 'cpu')")
        for fragment in ("Torch not compiled with CUDA enabled",
                         "Cannot access accelerator device when none is available",
                         "PyTorch is not linked with support for mps devices",
                         "legacy constructor expects device type: cpu")
    ),
]


def advice_for(message: str) -> str:
    for fragment, advice in _ADVICE:
        if fragment in message:
            return advice
    return ""
