"""What the code box may name: the explicit allow-list of torch, F, math and tensor members.

Anything not listed here is refused before a program runs. The lists cover what tutorials
use; extend them by adding names, never by opening a wildcard.
"""

from __future__ import annotations

import functools

_ELEMENTWISE = """
    abs absolute acos arccos acosh asin arcsin asinh atan arctan atan2 arctan2 atanh ceil clamp
    clip cos cosh deg2rad rad2deg erf erfc erfinv exp exp2 expm1 floor frac lgamma digamma log
    log10 log1p log2 logit neg negative reciprocal relu round rsqrt sigmoid sign sgn sin sinc
    sinh sqrt square tan tanh trunc fix nan_to_num
    add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow
    float_power maximum minimum fmax fmin hypot lerp logaddexp logaddexp2 xlogy heaviside
    where eq ne lt le gt ge greater less greater_equal less_equal not_equal equal allclose
    isclose isnan isinf isfinite isposinf isneginf logical_and logical_or logical_not logical_xor
    copysign addcmul addcdiv
"""

_REDUCTIONS = """
    sum mean nansum nanmean prod max min amax amin aminmax argmax argmin norm logsumexp std var
    std_mean var_mean median cumsum cumprod cummax cummin all any count_nonzero dist topk sort
    argsort kthvalue mode
"""

_LINEAR_ALGEBRA = """
    matmul mm bmm mv dot vdot inner outer ger einsum t transpose cross addmm addmv baddbmm
    tensordot kron trace det inverse cdist tril triu diag diagonal diagflat diag_embed
"""

_SHAPE = """
    reshape view flatten squeeze unsqueeze cat concat concatenate stack hstack vstack dstack
    split chunk unbind permute movedim moveaxis swapaxes swapdims flip fliplr flipud roll narrow
    select index_select gather scatter scatter_add masked_fill masked_select broadcast_to
    broadcast_tensors meshgrid tile atleast_1d atleast_2d atleast_3d clone numel take
    take_along_dim nonzero unique
"""

_NN_IN_TORCH = """
    softmax log_softmax dropout layer_norm conv1d conv2d relu sigmoid tanh
"""

_CREATION = """
    tensor ones zeros ones_like zeros_like full full_like arange linspace logspace eye rand
    rand_like randn randn_like randint randint_like randperm normal bernoulli multinomial
    manual_seed
"""

_AUTOGRAD_AND_MODES = """
    no_grad enable_grad set_grad_enabled is_grad_enabled inference_mode is_tensor
    is_floating_point get_default_dtype
"""

DTYPE_NAMES = frozenset(
    """
    float32 float float64 double float16 half bfloat16 int64 long int32 int int16 short int8
    uint8 bool complex64 cfloat complex128 cdouble
    """.split()
)

MATH_CONSTANTS = frozenset({"pi", "e", "tau", "inf", "nan"})
MATH_FUNCTIONS = frozenset({"sqrt", "exp", "log", "sin", "cos", "tan", "tanh", "isclose"})
TORCH_CONSTANTS = frozenset({"pi", "e", "inf", "nan"})


def _words(*blocks: str) -> frozenset[str]:
    return frozenset(word for block in blocks for word in block.split())


# Functions reached as torch.NAME; the ones that allocate from sizes are in CREATION_FUNCTIONS.
TORCH_FUNCTIONS = _words(
    _ELEMENTWISE, _REDUCTIONS, _LINEAR_ALGEBRA, _SHAPE, _NN_IN_TORCH, _CREATION, _AUTOGRAD_AND_MODES
)
CREATION_FUNCTIONS = _words(
    "ones zeros full arange linspace logspace eye rand randn randint randperm normal"
)
LINALG_FUNCTIONS = frozenset(
    {"norm", "vector_norm", "matrix_norm", "inv", "det", "solve", "eigh", "svd", "qr", "cross"}
)
AUTOGRAD_FUNCTIONS = frozenset({"grad", "backward"})

# torch and F functions whose output size comes from their arguments, not their inputs
# sizes alone, so they are always checked on the meta device before they run.
GROWTH_FUNCTIONS = _words(
    "tile broadcast_to diag diagflat diag_embed pad one_hot meshgrid cartesian_prod outer kron"
    " multinomial"  # its sample count is an argument: multinomial(p, 10**9) is 8 GB
)

# Functions reached as F.NAME (torch.nn.functional).
F_FUNCTIONS = _words(
    """
    relu relu6 leaky_relu elu selu celu gelu silu mish softplus softsign hardtanh hardsigmoid
    hardswish sigmoid tanh logsigmoid softmax log_softmax softmin glu linear bilinear mse_loss
    l1_loss smooth_l1_loss huber_loss cross_entropy nll_loss binary_cross_entropy
    binary_cross_entropy_with_logits kl_div cosine_similarity pairwise_distance normalize
    dropout layer_norm group_norm batch_norm conv1d conv2d max_pool1d max_pool2d avg_pool1d
    avg_pool2d adaptive_avg_pool1d adaptive_avg_pool2d one_hot pad embedding
    margin_ranking_loss hinge_embedding_loss soft_margin_loss triplet_margin_loss
    cosine_embedding_loss poisson_nll_loss gaussian_nll_loss
    """
)

# Tensor methods and attributes (x.NAME).
TENSOR_MEMBERS = _words(
    _ELEMENTWISE,
    _REDUCTIONS,
    _LINEAR_ALGEBRA,
    _SHAPE,
    """
    backward grad grad_fn requires_grad requires_grad_ retain_grad retains_grad detach detach_
    zero_ is_leaf item tolist shape size dim ndim ndimension nelement dtype device data T mT H
    mH view_as reshape_as expand expand_as repeat contiguous is_contiguous float double half
    bfloat16 long int short bool to type_as element_size is_floating_point is_complex
    new_zeros new_ones new_full new_tensor softmax log_softmax relu sigmoid tanh
    add_ sub_ mul_ div_ pow_ clamp_ clamp_min clamp_max clamp_min_ clamp_max_ fill_ copy_
    normal_ uniform_ exp_ log_ neg_ abs_ sqrt_ relu_ sigmoid_ tanh_ masked_fill_ sin_ cos_
    floor_ ceil_ round_ sign_ reciprocal_ square_ addmm_ lerp_ scatter_ scatter_add_
    index_fill index_fill_ index_add index_add_ unsqueeze_ squeeze_ t_ transpose_
    """,
)

# Tensor members that allocate from size arguments, so they are checked before they run.
GROWTH_METHODS = _words(
    "expand repeat tile new_zeros new_ones new_full new_tensor outer kron"
)
# Tensor members that neither allocate much nor run on a meta copy (no pre-check).
PLAIN_MEMBERS = _words(
    """
    backward grad grad_fn requires_grad requires_grad_ retain_grad retains_grad detach detach_
    zero_ is_leaf item tolist shape size dim ndim ndimension nelement numel dtype device data
    is_contiguous element_size is_floating_point is_complex equal allclose
    """
)

# Members of other values the code box can hold.
LIST_METHODS = frozenset({"append", "extend", "pop", "index", "count", "reverse", "insert"})
STR_METHODS = frozenset(
    {"format", "join", "upper", "lower", "strip", "lstrip", "rstrip", "startswith", "endswith",
     "split", "title", "capitalize"}
)
NODE_MEMBERS = frozenset({"name", "next_functions"})
STRUCT_MEMBERS = frozenset({"values", "indices"})
DTYPE_MEMBERS = frozenset({"is_floating_point", "is_complex", "itemsize"})
DEVICE_MEMBERS = frozenset({"type"})
SIZE_MEMBERS = frozenset({"numel", "index", "count"})

# Attributes a program may assign to (x.requires_grad = True, x.grad = None, w.data -= ...).
SETTABLE_TENSOR_ATTRIBUTES = frozenset({"requires_grad", "grad", "data"})

# The builtins a program may call, by name.
BUILTIN_NAMES = frozenset(
    """
    print range len float int bool abs min max sum round list tuple zip enumerate reversed
    sorted str repr any all
    """.split()
)

# Names that are never callable or reachable, with a reason shown to the user.
FORBIDDEN_NAMES = frozenset(
    """
    eval exec open getattr setattr delattr hasattr globals locals vars compile __import__
    input breakpoint help dir type object memoryview exit quit super classmethod staticmethod
    property id hash iter next callable format chr ord bytes bytearray frozenset set dict
    issubclass
    """.split()
)

# Module paths that `import` accepts, with the namespace each binds.
IMPORTABLE = {
    "torch": "torch",
    "torch.nn": "torch.nn",
    "torch.nn.functional": "F",
    "torch.autograd": "torch.autograd",
    "torch.linalg": "torch.linalg",
    "math": "math",
}


@functools.cache
def every_member_name() -> frozenset[str]:
    """Every attribute name that some allowed value has: the static checker's vocabulary."""
    return (
        TORCH_FUNCTIONS
        | DTYPE_NAMES
        | TORCH_CONSTANTS
        | MATH_CONSTANTS
        | MATH_FUNCTIONS
        | LINALG_FUNCTIONS
        | AUTOGRAD_FUNCTIONS
        | F_FUNCTIONS
        | TENSOR_MEMBERS
        | LIST_METHODS
        | STR_METHODS
        | NODE_MEMBERS
        | STRUCT_MEMBERS
        | DTYPE_MEMBERS
        | DEVICE_MEMBERS
        | SIZE_MEMBERS
        | {"nn", "functional", "autograd", "linalg"}
    )
