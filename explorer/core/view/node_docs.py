"""Plain-words notes on autograd nodes: what each forward op computed and its local derivative.

The notes are keyed by the exact string ``node.name()`` returns in the installed torch, so a
graph view can look a node up directly. Rules use ``grad`` for the gradient arriving at the
node from above and ``grad_<input>`` for what the node sends to each input; ``inputs`` names
the node's ``next_functions`` slots in order. Unknown names get a generic note built from
the name itself, so every node in a graph has something readable to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NodeDoc", "describe_node", "documented_names", "input_label", "op_words"]


@dataclass(frozen=True)
class NodeDoc:
    """What one autograd node means, in words a student can follow."""

    name: str
    title: str
    computes: str
    rule: str
    inputs: tuple[str, ...]
    generic: bool = False


# Broadcasting silently stretches an input in the forward pass, so its gradient has to be
# folded back; saying this once per binary op keeps the rules themselves short.
_FOLDED = "  (each summed back to its input's shape if broadcasting stretched it)"
_ZERO_ALMOST_EVERYWHERE = (
    "grad_x = 0: the output is flat between its jumps, so the gradient is zero almost "
    "everywhere, and PyTorch also sends 0 at the jumps themselves"
)
_NORM_RULE = (
    "for p = 2: grad_x = grad · x / ‖x‖;  for other finite p: "
    "grad_x = grad · sign(x) · |x|^(p−1) / ‖x‖^(p−1)  (0 if x is all zeros)"
)
_NORMALIZE_RULE = (
    "grad_b = Σ grad,  grad_w = Σ grad ⊙ x̂;  grad_x = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) "
    "/ √(σ² + ε), where g = grad ⊙ w"
)
# Nodes that take a variable number of tensors get one slot per tensor; their ``inputs``
# lists the two-tensor case and input_label() names any further slot.
_VARIADIC = frozenset({"CatBackward0", "StackBackward0"})

_DOCS: tuple[NodeDoc, ...] = (
    # Leaves.
    NodeDoc("torch::autograd::AccumulateGrad", "Gradient collector for a leaf",
            "nothing: it stands for a leaf tensor x that you created with requires_grad=True",
            "x.grad = x.grad + grad  (x.grad starts as None, so the first arrival is stored "
            "as it is; later ones add up)", ()),
    # Arithmetic.
    NodeDoc("AddBackward0", "Addition",
            "out = a + α · b, element by element (α is 1 unless alpha= is given)",
            "grad_a = grad,  grad_b = α · grad" + _FOLDED, ("a", "b")),
    NodeDoc("AddBackward1", "Addition of a number",
            "out = a + c with c a plain number, as library code does for the + ε inside "
            "F.rms_norm or F.pairwise_distance",
            "grad_a = grad  (the number c needs no gradient)", ("a",)),
    NodeDoc("SubBackward0", "Subtraction",
            "out = a − α · b, element by element (α is 1 unless alpha= is given)",
            "grad_a = grad,  grad_b = −α · grad" + _FOLDED, ("a", "b")),
    NodeDoc("SubBackward1", "Subtraction of a number",
            "out = a − c with c a plain number, as inside F.cosine_embedding_loss",
            "grad_a = grad  (the number c needs no gradient)", ("a",)),
    NodeDoc("RsubBackward0", "Reversed subtraction",
            "out = b − α · a, written torch.rsub(a, b)",
            "grad_a = −α · grad,  grad_b = grad" + _FOLDED, ("a", "b")),
    NodeDoc("RsubBackward1", "Number minus a tensor",
            "out = c − a with c a plain number, e.g. 1 - a",
            "grad_a = −grad", ("a",)),
    NodeDoc("MulBackward0", "Multiplication",
            "out = a * b, element by element",
            "grad_a = grad · b,  grad_b = grad · a" + _FOLDED, ("a", "b")),
    NodeDoc("MulBackward1", "Multiplication by a number",
            "out = a · c with c a plain number, as in the scaling step of "
            "F.scaled_dot_product_attention",
            "grad_a = grad · c", ("a",)),
    NodeDoc("DivBackward0", "Division",
            "out = a / b, element by element",
            "grad_a = grad / b,  grad_b = −grad · a / b²" + _FOLDED, ("a", "b")),
    NodeDoc("DivBackward2", "Division with a rounding mode",
            "out = a / b called with rounding_mode= (None, 'trunc' or 'floor')",
            "rounding_mode=None: grad_a = grad / b,  grad_b = −grad · a / b²;  'trunc' or "
            "'floor': both are 0, since a rounded quotient is flat between its jumps",
            ("a", "b")),
    NodeDoc("NegBackward0", "Negation", "out = −a", "grad_a = −grad", ("a",)),
    NodeDoc("PowBackward0", "Power with a number exponent",
            "out = base ** n with the exponent n a plain number (x ** 2, x.square())",
            "grad_base = grad · n · base^(n−1)", ("base",)),
    NodeDoc("PowBackward1", "Power with a tensor exponent",
            "out = base ** exponent with the exponent a tensor",
            "grad_base = grad · exponent · base^(exponent−1),  "
            "grad_exponent = grad · base^exponent · ln(base)" + _FOLDED,
            ("base", "exponent")),
    NodeDoc("PowBackward2", "A number raised to a tensor",
            "out = c ** exponent with the base c a plain number, e.g. 2 ** x",
            "grad_exponent = grad · c^exponent · ln(c)", ("exponent",)),
    NodeDoc("ReciprocalBackward0", "Reciprocal", "out = 1 / x",
            "grad_x = −grad / x²", ("x",)),
    NodeDoc("SqrtBackward0", "Square root", "out = √x",
            "grad_x = grad / (2 · √x)", ("x",)),
    NodeDoc("RsqrtBackward0", "Reciprocal square root", "out = 1 / √x",
            "grad_x = −grad / (2 · x^(3/2))  (that is, −grad · out³ / 2)", ("x",)),
    NodeDoc("AbsBackward0", "Absolute value", "out = |x|",
            "grad_x = grad · sign(x)  (0 at x = 0)", ("x",)),
    NodeDoc("AddcmulBackward0", "Add a scaled product",
            "out = x + v · t1 ⊙ t2 with v a number (torch.addcmul)",
            "grad_x = grad,  grad_t1 = grad · v · t2,  grad_t2 = grad · v · t1" + _FOLDED,
            ("x", "t1", "t2")),
    NodeDoc("LerpBackward0", "Linear interpolation",
            "out = a + w · (b − a) with the weight w a plain number (torch.lerp)",
            "grad_a = grad · (1 − w),  grad_b = grad · w" + _FOLDED, ("a", "b")),
    # Exponentials and logarithms.
    NodeDoc("ExpBackward0", "Exponential", "out = eˣ, element by element",
            "grad_x = grad · eˣ  (that is, grad · out)", ("x",)),
    NodeDoc("Exp2Backward0", "Power of two", "out = 2ˣ",
            "grad_x = grad · 2ˣ · ln 2", ("x",)),
    NodeDoc("Expm1Backward0", "Exponential minus one",
            "out = eˣ − 1, computed accurately for x near 0",
            "grad_x = grad · eˣ  (that is, grad · (out + 1))", ("x",)),
    NodeDoc("LogBackward0", "Natural logarithm", "out = ln(x)",
            "grad_x = grad / x", ("x",)),
    NodeDoc("Log1PBackward0", "Logarithm of one plus x",
            "out = ln(1 + x), computed accurately for x near 0 (x.log1p())",
            "grad_x = grad / (1 + x)", ("x",)),
    NodeDoc("Log2Backward0", "Base-2 logarithm", "out = log₂(x)",
            "grad_x = grad / (x · ln 2)", ("x",)),
    NodeDoc("Log10Backward0", "Base-10 logarithm", "out = log₁₀(x)",
            "grad_x = grad / (x · ln 10)", ("x",)),
    NodeDoc("LogsumexpBackward0", "Log-sum-exp",
            "out = ln Σ eˣ along a dim, a smooth stand-in for the maximum",
            "grad_x = grad · softmax(x)  (each element weighted by eˣ / Σ eˣ)", ("x",)),
    # Trigonometric and hyperbolic functions.
    NodeDoc("SinBackward0", "Sine", "out = sin(x)", "grad_x = grad · cos(x)", ("x",)),
    NodeDoc("CosBackward0", "Cosine", "out = cos(x)", "grad_x = −grad · sin(x)", ("x",)),
    NodeDoc("TanBackward0", "Tangent", "out = tan(x)",
            "grad_x = grad · (1 + tan²(x))  (that is, grad / cos²(x))", ("x",)),
    NodeDoc("AtanBackward0", "Arctangent", "out = arctan(x)",
            "grad_x = grad / (1 + x²)", ("x",)),
    NodeDoc("Atan2Backward0", "Angle of a point",
            "out = atan2(y, x), the angle of the point (x, y), written torch.atan2(y, x)",
            "grad_y = grad · x / (x² + y²),  grad_x = −grad · y / (x² + y²)" + _FOLDED,
            ("y", "x")),
    NodeDoc("SinhBackward0", "Hyperbolic sine", "out = sinh(x)",
            "grad_x = grad · cosh(x)", ("x",)),
    NodeDoc("CoshBackward0", "Hyperbolic cosine", "out = cosh(x)",
            "grad_x = grad · sinh(x)", ("x",)),
    NodeDoc("TanhBackward0", "Hyperbolic tangent", "out = tanh(x)",
            "grad_x = grad · (1 − tanh²(x))  (that is, grad · (1 − out²))", ("x",)),
    NodeDoc("ErfBackward0", "Error function", "out = erf(x)",
            "grad_x = grad · (2 / √π) · e^(−x²)", ("x",)),
    # Activations.
    NodeDoc("SigmoidBackward0", "Sigmoid (logistic function)",
            "out = σ(x) = 1 / (1 + e^(−x))",
            "grad_x = grad · σ(x) · (1 − σ(x))", ("x",)),
    NodeDoc("LogSigmoidBackward0", "Log of the sigmoid", "out = ln σ(x) (F.logsigmoid)",
            "grad_x = grad · (1 − σ(x))", ("x",)),
    NodeDoc("ReluBackward0", "ReLU", "out = max(x, 0), element by element",
            "grad_x = grad where x > 0, and 0 where x ≤ 0 (PyTorch picks 0 at x = 0 exactly)",
            ("x",)),
    NodeDoc("LeakyReluBackward0", "Leaky ReLU",
            "out = x where x > 0, slope · x elsewhere (slope is 0.01 unless given)",
            "grad_x = grad where x > 0, slope · grad where x ≤ 0", ("x",)),
    NodeDoc("EluBackward0", "ELU",
            "out = x where x > 0, α · (eˣ − 1) elsewhere (F.selu lands here too, with an "
            "extra scale factor)",
            "grad_x = grad where x > 0, grad · α · eˣ where x ≤ 0  (SELU multiplies both "
            "by its scale)", ("x",)),
    NodeDoc("GeluBackward0", "GELU",
            "out = x · Φ(x), where Φ is the standard normal CDF (approximate='tanh' swaps in "
            "a tanh-based formula)",
            "grad_x = grad · (Φ(x) + x · φ(x)), where φ is the standard normal density (the "
            "tanh variant differentiates its own formula)", ("x",)),
    NodeDoc("SiluBackward0", "SiLU (swish)", "out = x · σ(x)",
            "grad_x = grad · σ(x) · (1 + x · (1 − σ(x)))", ("x",)),
    NodeDoc("MishBackward0", "Mish", "out = x · tanh(softplus(x))",
            "grad_x = grad · (t + x · σ(x) · (1 − t²)), where t = tanh(softplus(x))", ("x",)),
    NodeDoc("SoftplusBackward0", "Softplus",
            "out = ln(1 + e^(β·x)) / β, a smooth ReLU (β is 1 unless given; past a "
            "threshold it just returns x)",
            "grad_x = grad · σ(β · x)  (plain grad where the linear shortcut was taken)",
            ("x",)),
    NodeDoc("HardtanhBackward0", "Hard tanh",
            "out = x clipped to [min, max], by default [−1, 1] (F.relu6 lands here too, with "
            "[0, 6])",
            "grad_x = grad where min < x < max, and 0 elsewhere, including at the two edges",
            ("x",)),
    # Piecewise-constant functions.
    NodeDoc("SignBackward0", "Sign", "out = sign(x): −1, 0 or 1",
            _ZERO_ALMOST_EVERYWHERE, ("x",)),
    NodeDoc("RoundBackward0", "Rounding",
            "out = x rounded to the nearest integer (halves go to the even neighbour)",
            _ZERO_ALMOST_EVERYWHERE, ("x",)),
    NodeDoc("FloorBackward0", "Floor", "out = the largest integer ≤ x",
            _ZERO_ALMOST_EVERYWHERE, ("x",)),
    NodeDoc("CeilBackward0", "Ceiling", "out = the smallest integer ≥ x",
            _ZERO_ALMOST_EVERYWHERE, ("x",)),
    NodeDoc("TruncBackward0", "Truncation", "out = x with its fractional part dropped",
            _ZERO_ALMOST_EVERYWHERE, ("x",)),
    # Clipping, selection by value, extremes.
    NodeDoc("ClampBackward1", "Clamp to number bounds",
            "out = x clipped into [min, max], with min and/or max plain numbers (x.clamp, "
            "torch.clip)",
            "grad_x = grad where min ≤ x ≤ max, 0 where x was clipped (the bounds themselves "
            "still pass grad)", ("x",)),
    NodeDoc("ClampBackward0", "Clamp to tensor bounds",
            "out = x clipped between the tensors min and max, element by element",
            "grad_x = grad where min ≤ x ≤ max;  grad_min = grad where x < min;  "
            "grad_max = grad where x > max;  0 elsewhere", ("x", "min", "max")),
    NodeDoc("ClampMinBackward0", "Clamp from below",
            "out = max(x, min) with min a plain number (x.clamp_min, margin losses)",
            "grad_x = grad where x ≥ min, 0 where x was raised to min", ("x",)),
    NodeDoc("ClampMaxBackward0", "Clamp from above",
            "out = min(x, max) with max a plain number (x.clamp_max)",
            "grad_x = grad where x ≤ max, 0 where x was lowered to max", ("x",)),
    NodeDoc("WhereBackward0", "Choose by condition",
            "out = torch.where(cond, x, y): x where cond is True, y elsewhere",
            "grad_x = grad where cond, 0 elsewhere;  grad_y = grad where not cond, 0 "
            "elsewhere" + _FOLDED, ("x", "y")),
    NodeDoc("MaskedFillBackward0", "Masked fill with a number",
            "out = x with the positions where mask is True overwritten by a number",
            "grad_x = grad where mask is False, 0 where the number was written", ("x",)),
    NodeDoc("MaximumBackward0", "Element-wise maximum",
            "out = max(a, b), element by element (torch.maximum, torch.max(a, b))",
            "grad_a = grad where a > b,  grad_b = grad where b > a;  where a = b each gets "
            "grad / 2" + _FOLDED, ("a", "b")),
    NodeDoc("MinimumBackward0", "Element-wise minimum",
            "out = min(a, b), element by element (torch.minimum, torch.min(a, b))",
            "grad_a = grad where a < b,  grad_b = grad where b < a;  where a = b each gets "
            "grad / 2" + _FOLDED, ("a", "b")),
    NodeDoc("MaxBackward1", "Maximum of all elements",
            "out = the largest element of x (x.max() with no dim)",
            "the maximum element gets grad and all others 0; tied maxima share grad equally",
            ("x",)),
    NodeDoc("MaxBackward0", "Maximum along a dimension",
            "out = x.max(dim).values, the largest entry of each slice",
            "in each slice the entry at the returned index gets grad, all others 0", ("x",)),
    NodeDoc("MinBackward1", "Minimum of all elements",
            "out = the smallest element of x (x.min() with no dim)",
            "the minimum element gets grad and all others 0; tied minima share grad equally",
            ("x",)),
    NodeDoc("MinBackward0", "Minimum along a dimension",
            "out = x.min(dim).values, the smallest entry of each slice",
            "in each slice the entry at the returned index gets grad, all others 0", ("x",)),
    NodeDoc("AmaxBackward0", "Maximum along dimensions (amax)",
            "out = x.amax(dims), the largest value of each slice, without indices",
            "each slice's maximum gets grad and the rest 0; tied maxima share grad equally",
            ("x",)),
    # Reductions.
    NodeDoc("SumBackward0", "Sum of all elements",
            "out = the sum of every element of x, a single number",
            "every element of x gets grad (the gradient is broadcast back)", ("x",)),
    NodeDoc("SumBackward1", "Sum along dimensions",
            "out = x summed along the chosen dim(s)",
            "every element of x gets the grad of the sum it went into (grad is broadcast back "
            "along the summed dims)", ("x",)),
    NodeDoc("MeanBackward0", "Mean of all elements",
            "out = the average of all N elements of x, a single number",
            "every element gets grad / N", ("x",)),
    NodeDoc("MeanBackward1", "Mean along dimensions",
            "out = x averaged along the chosen dim(s), N elements per average",
            "every element gets the grad of the average it went into, divided by N", ("x",)),
    NodeDoc("ProdBackward0", "Product of all elements",
            "out = the product of every element of x",
            "grad_x = grad · out / x for each element, i.e. grad times the product of all the "
            "other elements (PyTorch treats zeros in x without dividing)", ("x",)),
    NodeDoc("VarBackward0", "Variance",
            "out = Σ(x − mean)² / (N − c), with c the correction (1 unless given)",
            "grad_x = grad · 2 · (x − mean) / (N − c)", ("x",)),
    NodeDoc("StdBackward0", "Standard deviation",
            "out = √(Σ(x − mean)² / (N − c)), with c the correction (1 unless given)",
            "grad_x = grad · (x − mean) / ((N − c) · out)", ("x",)),
    NodeDoc("CumsumBackward0", "Running sum",
            "out[i] = x[0] + x[1] + … + x[i] along a dim (x.cumsum)",
            "grad_x[i] = grad[i] + grad[i+1] + … + grad[last], a running sum taken from the "
            "end", ("x",)),
    NodeDoc("LinalgVectorNormBackward0", "Vector norm",
            "out = ‖x‖ₚ = (Σ |xᵢ|^p)^(1/p), p = 2 unless given (x.norm(), torch.norm, "
            "torch.linalg.vector_norm and norm)", _NORM_RULE, ("x",)),
    NodeDoc("NormBackward1", "Vector norm (older entry point)",
            "out = ‖x‖ₚ along chosen dims, reached from library code such as "
            "F.pairwise_distance and F.triplet_margin_loss", _NORM_RULE, ("x",)),
    # Linear algebra.
    NodeDoc("MmBackward0", "Matrix multiplication",
            "out = A @ B for two 2-D matrices",
            "grad_A = grad @ Bᵀ,  grad_B = Aᵀ @ grad", ("A", "B")),
    NodeDoc("MvBackward0", "Matrix-vector product",
            "out = A @ v, a matrix times a vector",
            "grad_A = grad ⊗ v (outer product: grad_A[i, j] = grad[i] · v[j]),  "
            "grad_v = Aᵀ @ grad", ("A", "v")),
    NodeDoc("DotBackward0", "Dot product",
            "out = Σ aᵢ · bᵢ for two 1-D vectors, a single number (a @ b)",
            "grad_a = grad · b,  grad_b = grad · a", ("a", "b")),
    NodeDoc("BmmBackward0", "Batched matrix multiplication",
            "out[k] = A[k] @ B[k] for every batch index k (torch.bmm; matmul of 3-D tensors "
            "lands here)",
            "grad_A = grad @ Bᵀ,  grad_B = Aᵀ @ grad, batch by batch (ᵀ swaps the last two "
            "dims)", ("A", "B")),
    NodeDoc("AddmmBackward0", "Matrix product plus bias",
            "out = β · bias + α · (m1 @ m2), α = β = 1 unless given; F.linear(x, W, b) is "
            "addmm(b, x, Wᵀ)",
            "grad_bias = β · grad (summed over rows if bias was broadcast),  "
            "grad_m1 = α · grad @ m2ᵀ,  grad_m2 = α · m1ᵀ @ grad", ("bias", "m1", "m2")),
    NodeDoc("AddmvBackward0", "Matrix-vector product plus bias",
            "out = β · bias + α · (A @ v), α = β = 1 unless given (torch.addmv)",
            "grad_bias = β · grad,  grad_A = α · grad ⊗ v,  grad_v = α · Aᵀ @ grad",
            ("bias", "A", "v")),
    NodeDoc("BaddbmmBackward0", "Batched matrix product plus bias",
            "out[k] = β · bias[k] + α · (A[k] @ B[k]) for every batch index k (torch.baddbmm)",
            "grad_bias = β · grad,  grad_A = α · grad @ Bᵀ,  grad_B = α · Aᵀ @ grad, batch by "
            "batch", ("bias", "A", "B")),
    NodeDoc("TraceBackward0", "Trace", "out = the sum of a matrix's main diagonal",
            "grad_x = grad on the main diagonal and 0 elsewhere (grad · I)", ("x",)),
    # Shape changes that keep every value.
    NodeDoc("TBackward0", "Matrix transpose",
            "out = xᵀ via x.t() (at most 2 dims; F.linear applies it to the weight)",
            "grad_x = gradᵀ", ("x",)),
    NodeDoc("TransposeBackward0", "Swap two dimensions",
            "out = x with dims d0 and d1 swapped (x.transpose(d0, d1), x.mT)",
            "grad_x = grad with the same two dims swapped back", ("x",)),
    NodeDoc("PermuteBackward0", "Reorder dimensions",
            "out = x with its dims reordered (x.permute; x.T lands here too)",
            "grad_x = grad with the inverse reordering applied", ("x",)),
    NodeDoc("ViewBackward0", "Reshape (view)",
            "out = the same data read with a new shape (x.view; x.reshape and x.flatten when "
            "no copy is needed)",
            "grad_x = grad reshaped back to x's shape", ("x",)),
    NodeDoc("ReshapeAliasBackward0", "Reshape (alias)",
            "out = the same data under a new shape and strides, as inside "
            "F.scaled_dot_product_attention",
            "grad_x = grad reshaped back to x's shape", ("x",)),
    NodeDoc("UnsafeViewBackward0", "Reshape of a fresh result",
            "out = a reshape of a tensor PyTorch had just made itself, e.g. after matmul of "
            "3-D tensors or reshape of a non-contiguous tensor",
            "grad_x = grad reshaped back to x's shape", ("x",)),
    NodeDoc("AliasBackward0", "Alias", "out = x itself under another name, e.g. x[...]",
            "grad_x = grad", ("x",)),
    NodeDoc("UnsqueezeBackward0", "Insert a size-1 dimension",
            "out = x with a new dim of size 1 at position d (x.unsqueeze(d), x[None])",
            "grad_x = grad with that size-1 dim removed again", ("x",)),
    NodeDoc("SqueezeBackward0", "Drop all size-1 dimensions", "out = x.squeeze()",
            "grad_x = grad reshaped back to x's shape (the size-1 dims return)", ("x",)),
    NodeDoc("SqueezeBackward1", "Drop one size-1 dimension", "out = x.squeeze(d)",
            "grad_x = grad with the size-1 dim d put back", ("x",)),
    NodeDoc("SqueezeBackward2", "Drop several size-1 dimensions",
            "out = x.squeeze((d0, d1, …))",
            "grad_x = grad with those size-1 dims put back", ("x",)),
    NodeDoc("SqueezeBackward3", "Drop all size-1 dimensions, in place",
            "x.squeeze_() changed x's own shape",
            "grad_x = grad reshaped back to x's old shape", ("x",)),
    NodeDoc("SqueezeBackward4", "Drop one size-1 dimension, in place",
            "x.squeeze_(d) changed x's own shape; vector @ matrix does this to remove the dim "
            "it added to the vector",
            "grad_x = grad with the size-1 dim d put back", ("x",)),
    NodeDoc("SqueezeBackward5", "Drop several size-1 dimensions, in place",
            "x.squeeze_((d0, d1, …)) changed x's own shape",
            "grad_x = grad with those size-1 dims put back", ("x",)),
    NodeDoc("ExpandBackward0", "Broadcast (expand)",
            "out = x stretched along size-1 or new leading dims without copying (x.expand, "
            "x.expand_as)",
            "grad_x = grad summed over every stretched dim, back to x's shape", ("x",)),
    NodeDoc("RepeatBackward0", "Repeat",
            "out = x tiled several times along its dims (x.repeat)",
            "grad_x = the sum of grad over all the copies", ("x",)),
    NodeDoc("FlipBackward0", "Flip", "out = x in reverse order along some dims (x.flip)",
            "grad_x = grad flipped along the same dims", ("x",)),
    NodeDoc("RollBackward0", "Roll",
            "out = x shifted cyclically along a dim (x.roll)",
            "grad_x = grad shifted back by the same amount", ("x",)),
    NodeDoc("CloneBackward0", "Copy",
            "out = a fresh copy of x (x.clone(); x.contiguous() when it has to copy)",
            "grad_x = grad", ("x",)),
    NodeDoc("ToCopyBackward0", "Type or device conversion",
            "out = x converted to another dtype or device (x.double(), x.to(...))",
            "grad_x = grad converted back to x's dtype and device", ("x",)),
    # Joining, splitting and picking parts.
    NodeDoc("CatBackward0", "Concatenate",
            "out = the input tensors joined end to end along one dim (torch.cat, hstack, "
            "vstack); one slot per tensor",
            "each input gets the piece of grad lying where that input sits in out",
            ("tensors[0]", "tensors[1]")),
    NodeDoc("StackBackward0", "Stack",
            "out = the input tensors placed side by side along a new dim (torch.stack); one "
            "slot per tensor",
            "input i gets grad.select(dim, i), its own layer of grad",
            ("tensors[0]", "tensors[1]")),
    NodeDoc("UnbindBackward0", "Unbind",
            "outputs = the slices of x along a dim as separate tensors (x.unbind())",
            "grad_x = the slices' grads stacked back together (unused slices give zeros)",
            ("x",)),
    NodeDoc("SplitBackward0", "Split into equal chunks",
            "outputs = consecutive chunks of x along a dim (x.split(n), x.chunk(k))",
            "grad_x = the chunks' grads joined back together (unused chunks give zeros)",
            ("x",)),
    NodeDoc("SplitWithSizesBackward0", "Split by sizes",
            "outputs = consecutive pieces of x with the given lengths (x.split([n0, n1, …]))",
            "grad_x = the pieces' grads joined back together (unused pieces give zeros)",
            ("x",)),
    NodeDoc("SelectBackward0", "Pick one index",
            "out = x at index i along one dim, which disappears (A[0], A[:, 2])",
            "grad_x = zeros shaped like x, with grad written at index i", ("x",)),
    NodeDoc("SliceBackward0", "Slice",
            "out = x[start:stop:step] along one dim (also x.narrow, x.tensor_split)",
            "grad_x = zeros shaped like x, with grad written into the sliced positions",
            ("x",)),
    NodeDoc("IndexBackward0", "Advanced indexing",
            "out = x[idx] with integer tensors, lists or a boolean mask as indices",
            "grad_x = zeros shaped like x, with grad added at every picked position (a "
            "position picked twice collects both)", ("x",)),
    NodeDoc("GatherBackward0", "Gather",
            "out[i][j] = x[i][index[i][j]] along a dim (torch.gather)",
            "grad_x = zeros shaped like x, with grad added back at every gathered position",
            ("x",)),
    NodeDoc("TriuBackward0", "Upper triangle",
            "out = x with the entries below the k-th diagonal set to 0 (x.triu)",
            "grad_x = grad with the same entries set to 0", ("x",)),
    NodeDoc("TrilBackward0", "Lower triangle",
            "out = x with the entries above the k-th diagonal set to 0 (x.tril)",
            "grad_x = grad with the same entries set to 0", ("x",)),
    NodeDoc("ConstantPadNdBackward0", "Constant padding",
            "out = x surrounded by a border of a constant value (F.pad)",
            "grad_x = grad with the border cut away", ("x",)),
    NodeDoc("EmbeddingBackward0", "Embedding lookup",
            "out = the rows of the table W picked by integer indices (F.embedding, "
            "nn.Embedding)",
            "grad_W = zeros shaped like W, with each row of grad added into the row it was "
            "read from (a row read twice collects both)", ("weight",)),
    # Softmax family and losses.
    NodeDoc("SoftmaxBackward0", "Softmax",
            "out = eˣ / Σ eˣ along a dim, so each slice is positive and sums to 1",
            "grad_x = out ⊙ (grad − Σ(grad ⊙ out)), the sum taken along the same dim",
            ("x",)),
    NodeDoc("LogSoftmaxBackward0", "Log-softmax",
            "out = x − ln Σ eˣ along a dim, the log of the softmax",
            "grad_x = grad − softmax(x) ⊙ Σ grad, the sum taken along the same dim", ("x",)),
    NodeDoc("NllLossBackward0", "Negative log-likelihood loss",
            "out = −(1/N) · Σᵢ logp[i, targetᵢ], minus the average log-probability of each "
            "row's target class (F.cross_entropy is log_softmax followed by this)",
            "grad_logp = −grad / N at each [i, targetᵢ] and 0 everywhere else (with class "
            "weights w: −grad · w[targetᵢ] / Σⱼ w[targetⱼ])", ("logp",)),
    NodeDoc("MseLossBackward0", "Mean squared error",
            "out = mean((input − target)²) over all N elements",
            "grad_input = grad · 2 · (input − target) / N,  grad_target = −grad_input  "
            "(reduction='sum' drops the / N)", ("input", "target")),
    NodeDoc("SmoothL1LossBackward0", "Smooth L1 loss",
            "out = mean over N elements of 0.5 · d² / β where |d| < β, |d| − 0.5 · β "
            "elsewhere, with d = input − target",
            "grad_input = grad · s / N, where s = d / β if |d| < β and sign(d) otherwise;  "
            "grad_target = −grad_input", ("input", "target")),
    NodeDoc("HuberLossBackward0", "Huber loss",
            "out = mean over N elements of 0.5 · d² where |d| < δ, δ · (|d| − 0.5 · δ) "
            "elsewhere, with d = input − target",
            "grad_input = grad · s / N, where s = d if |d| < δ and δ · sign(d) otherwise;  "
            "grad_target = −grad_input", ("input", "target")),
    NodeDoc("BinaryCrossEntropyWithLogitsBackward0", "Binary cross-entropy on logits",
            "out = mean over N elements of −[y · ln σ(x) + (1 − y) · ln(1 − σ(x))], with x "
            "the logits and y the target",
            "grad_x = grad · (σ(x) − y) / N,  grad_y = −grad · x / N  (weight= and "
            "pos_weight= rescale these)", ("input", "target")),
    NodeDoc("BinaryCrossEntropyBackward0", "Binary cross-entropy",
            "out = mean over N elements of −[y · ln p + (1 − y) · ln(1 − p)], with p "
            "probabilities and y the target",
            "grad_p = grad · (p − y) / (p · (1 − p) · N),  "
            "grad_y = grad · ln((1 − p) / p) / N", ("input", "target")),
    # Layers.
    NodeDoc("NativeLayerNormBackward0", "Layer normalization",
            "out = w ⊙ x̂ + b, with x̂ = (x − μ) / √(σ² + ε) and the mean μ and variance σ² "
            "taken over the last dims of each sample (F.layer_norm)",
            _NORMALIZE_RULE + "; the sums run over samples, the means over the normalized dims",
            ("input", "weight", "bias")),
    NodeDoc("NativeBatchNormBackward0", "Batch normalization",
            "out = w ⊙ x̂ + b per channel, with x̂ = (x − μ) / √(σ² + ε); in training mode "
            "μ and σ² come from the batch (F.batch_norm)",
            _NORMALIZE_RULE + "; sums and means run per channel over the batch and "
            "positions (in eval mode grad_x is just g / √(running_var + ε))",
            ("input", "weight", "bias")),
    NodeDoc("ConvolutionBackward0", "Convolution",
            "out = a kernel W slid across the input x, each position a weighted sum, plus a "
            "bias b per output channel (F.conv1d, conv2d, conv3d)",
            "grad_b = grad summed over the batch and all positions;  grad_W = x correlated "
            "with grad;  grad_x = grad passed through the transposed convolution (W slid back "
            "over grad)", ("input", "weight", "bias")),
    NodeDoc("MaxPool2DWithIndicesBackward0", "2-D max pooling",
            "out = the largest value in each window (F.max_pool2d)",
            "each window's winning position gets that window's grad, all other positions 0 "
            "(a position winning several overlapping windows collects each)", ("x",)),
    NodeDoc("AvgPool2DBackward0", "2-D average pooling",
            "out = the average of each window (F.avg_pool2d)",
            "each position gets grad / (window size) from every window that covers it",
            ("x",)),
)

_BY_NAME: dict[str, NodeDoc] = {doc.name: doc for doc in _DOCS}

_NAMESPACE = re.compile(r"^.*::")
_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")
# A word is a capitalised run, a run of capitals (an acronym), or digits with an optional
# trailing capital, so "MaxPool2DWithIndices" reads as "max pool 2d with indices".
_WORD = re.compile(r"[A-Z]?[a-z]+|\d+[A-Z]?(?![a-z])|[A-Z]+(?![a-z])")


# Built-in nodes end in a number (MulBackward0); a Python Function's node does not.
_CUSTOM_FUNCTION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[A-Za-z_]Backward")


def documented_names() -> frozenset[str]:
    """Every node name with written notes."""
    return frozenset(_BY_NAME)


def op_words(name: str) -> str:
    """A readable op name from a node name: ``"FooBarBackward1"`` becomes ``"foo bar"``."""
    bare = _BACKWARD_SUFFIX.sub("", _NAMESPACE.sub("", name.strip()))
    words = _WORD.findall(bare)
    return " ".join(word.lower() for word in words) or "unnamed"


def _generic(name: str) -> NodeDoc:
    words = op_words(name)
    return NodeDoc(
        name=name,
        title=f"{words} (no written notes)",
        computes=f"out = the result of the {words} operation on its inputs",
        rule=(f"the engine applies the vector-Jacobian product of the {words} operation: each "
              "input gets grad weighted by how much out changes with that input "
              "(grad_input = Jᵀ · grad)"),
        inputs=(),
        generic=True,
    )


def _custom_function(name: str) -> NodeDoc:
    """A ``torch.autograd.Function`` subclass: torch names its node ``<Class>Backward``."""
    cls = name[: -len("Backward")]
    return NodeDoc(
        name=name,
        title=f"{cls} (a custom autograd.Function)",
        computes=f"out = {cls}.forward(ctx, ...), as the program defined it",
        rule=(f"the engine calls {cls}.backward(ctx, grad): whatever it returns is the gradient "
              "sent to each input, in the order of forward's arguments"),
        inputs=(),
        generic=True,
    )


def describe_node(name: str) -> NodeDoc:
    """The notes for a node name, or generic notes built from the name when none are written."""
    found = _BY_NAME.get(name)
    if found is not None:
        return found
    if _CUSTOM_FUNCTION.fullmatch(name):
        return _custom_function(name)
    return _generic(name)


def input_label(doc: NodeDoc, slot: int) -> str:
    """The name of ``next_functions[slot]``, also for slots a note does not list by name."""
    if 0 <= slot < len(doc.inputs):
        return doc.inputs[slot]
    return f"tensors[{slot}]" if doc.name in _VARIADIC else f"input {slot}"
