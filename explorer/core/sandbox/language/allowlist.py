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

_COMPLEX = """
    real imag conj conj_physical resolve_conj view_as_real view_as_complex angle complex polar
    is_complex
"""

# The function form of in-place operations: torch.sin_(x) is x.sin_().
_INPLACE_FORMS = """
    sin_ cos_ tan_ exp_ exp2_ log_ log2_ log10_ log1p_ expm1_ sqrt_ rsqrt_ relu_ sigmoid_ tanh_
    abs_ neg_ negative_ clamp_ clip_ ceil_ floor_ round_ trunc_ frac_ reciprocal_ square_ asin_
    acos_ atan_ sinh_ cosh_ erf_ erfc_ sinc_ deg2rad_ rad2deg_ fix_ zero_ fill_ selu_ celu_ logit_
    nan_to_num_ xlogy_ arccos_ arcsin_ arctan_ clamp_min_ clamp_max_
"""

_CREATION = """
    tensor ones zeros ones_like zeros_like full full_like arange linspace logspace eye rand
    rand_like randn randn_like randint randint_like randperm normal bernoulli multinomial
    manual_seed as_tensor from_numpy
"""

_AUTOGRAD_AND_MODES = """
    no_grad enable_grad set_grad_enabled is_grad_enabled inference_mode is_tensor
    is_inference_mode_enabled
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
    _ELEMENTWISE, _REDUCTIONS, _LINEAR_ALGEBRA, _SHAPE, _NN_IN_TORCH, _CREATION, _AUTOGRAD_AND_MODES,
    _COMPLEX, _INPLACE_FORMS,
)
CREATION_FUNCTIONS = _words(
    "ones zeros full arange linspace logspace eye rand randn randint randperm normal"
)
LINALG_FUNCTIONS = frozenset(
    {"norm", "vector_norm", "matrix_norm", "inv", "det", "solve", "eigh", "svd", "qr", "cross",
     "lstsq", "pinv", "cholesky", "slogdet", "eigvalsh", "svdvals", "matrix_rank", "multi_dot",
     "matrix_power", "vecdot", "diagonal", "matrix_exp", "eigvals", "eig", "lu_factor", "lu"}
)
FORWARD_AD_FUNCTIONS = frozenset({"dual_level", "make_dual", "unpack_dual"})
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
    cosine_embedding_loss poisson_nll_loss gaussian_nll_loss scaled_dot_product_attention
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
    _version _base _is_view data_ptr is_inference
    real imag conj conj_physical resolve_conj angle is_conj register_hook
    register_post_accumulate_grad_hook cpu cuda is_cuda type random_ bernoulli_ exponential_
    numpy
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
    is_contiguous element_size is_floating_point is_complex equal allclose is_inference
    """
)

# Members of other values the code box can hold.
LIST_METHODS = frozenset({"append", "extend", "pop", "index", "count", "reverse", "insert",
                          "remove", "clear", "copy", "sort"})
DICT_METHODS = frozenset({"keys", "values", "items", "get", "pop", "update", "setdefault",
                          "clear", "copy", "popitem"})
SET_METHODS = frozenset({"add", "discard", "remove", "pop", "clear", "copy", "union",
                         "intersection", "difference", "symmetric_difference", "update",
                         "issubset", "issuperset", "isdisjoint", "intersection_update",
                         "difference_update"})
EXCEPTION_MEMBERS = frozenset({"args"})
CTX_MEMBERS = frozenset({"save_for_backward", "saved_tensors", "needs_input_grad", "mark_dirty",
                         "mark_non_differentiable", "set_materialize_grads", "save_for_forward",
                         "materialize_grads"})
STR_METHODS = frozenset(
    {"format", "join", "upper", "lower", "strip", "lstrip", "rstrip", "startswith", "endswith",
     "split", "rsplit", "title", "capitalize", "replace", "find", "rfind", "index", "rindex",
     "count", "center", "ljust", "rjust", "zfill", "splitlines", "isdigit", "isalpha",
     "isalnum", "isspace", "isupper", "islower", "partition", "rpartition", "swapcase",
     "casefold", "removeprefix", "removesuffix", "expandtabs"}
)
# String methods whose result can be longer than the string: their growth is checked first.
STR_GROWING = frozenset({"center", "ljust", "rjust", "zfill", "replace", "expandtabs"})
NODE_MEMBERS = frozenset({"name", "next_functions"})
STRUCT_MEMBERS = frozenset(
    {"values", "indices", "solution", "residuals", "rank", "singular_values", "sign",
     "logabsdet", "eigenvalues", "eigenvectors", "U", "S", "Vh", "Q", "R", "L", "P", "LU",
     "pivots", "info", "primal", "tangent", "mean", "std"}
)
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
    eval exec open setattr delattr globals locals vars compile __import__ breakpoint help dir
    memoryview exit quit bytes bytearray aiter anext __build_class__ __builtins__
    __loader__ __spec__ __file__ __package__ __doc__
    """.split()
)

# ----- The library tutorials reach for (explorer/core/sandbox/language/library/) --------------------

# torch.nn classes, by what they are; each is built after its size is checked on the meta device.
NN_LAYERS = _words(
    """
    Linear Bilinear Identity Flatten Unflatten Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d
    MaxPool1d MaxPool2d AvgPool1d AvgPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool1d
    AdaptiveMaxPool2d BatchNorm1d BatchNorm2d LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d
    Dropout Dropout1d Dropout2d AlphaDropout Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell
    GRUCell MultiheadAttention TransformerEncoderLayer TransformerEncoder Upsample PixelShuffle
    ZeroPad2d ConstantPad1d ConstantPad2d ReflectionPad1d ReflectionPad2d ReplicationPad1d
    ReplicationPad2d CosineSimilarity PairwiseDistance
    ReLU ReLU6 LeakyReLU PReLU RReLU ELU SELU CELU GELU SiLU Mish Sigmoid Tanh Softmax Softmax2d
    LogSoftmax Softmin Softplus Softsign Hardtanh Hardsigmoid Hardswish LogSigmoid Tanhshrink
    Softshrink Hardshrink Threshold GLU
    MSELoss L1Loss SmoothL1Loss HuberLoss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss
    KLDivLoss CosineEmbeddingLoss MarginRankingLoss HingeEmbeddingLoss SoftMarginLoss
    TripletMarginLoss PoissonNLLLoss GaussianNLLLoss MultiLabelSoftMarginLoss MultiMarginLoss
    MultiLabelMarginLoss
    """
)
NN_CONTAINERS = _words("Sequential ModuleList ModuleDict ParameterList ParameterDict")
NN_CLASSES = NN_LAYERS | NN_CONTAINERS | {"Module", "Parameter"}
NN_INIT_FUNCTIONS = _words(
    """
    uniform_ normal_ constant_ ones_ zeros_ eye_ dirac_ xavier_uniform_ xavier_normal_
    kaiming_uniform_ kaiming_normal_ trunc_normal_ orthogonal_ sparse_ calculate_gain
    """
)
NN_UTILS_FUNCTIONS = _words("clip_grad_norm_ clip_grad_value_ parameters_to_vector vector_to_parameters")

# What a program may do with an nn.Module (its own subclasses too).
MODULE_METHODS = _words(
    """
    parameters named_parameters buffers named_buffers children named_children modules
    named_modules zero_grad train eval state_dict load_state_dict to cpu cuda double float half
    bfloat16 requires_grad_ apply register_forward_hook register_forward_pre_hook
    register_full_backward_hook register_full_backward_pre_hook register_backward_hook
    register_parameter register_buffer register_module add_module get_submodule get_parameter
    get_buffer forward extra_repr reset_parameters flatten_parameters append extend insert keys
    values items pop
    """
)
# Layer settings and state read as attributes (the parameters and submodules go by their names).
MODULE_ATTRIBUTES = _words(
    """
    training in_features out_features in1_features in2_features in_channels out_channels
    kernel_size stride padding dilation groups padding_mode output_padding transposed
    num_features eps momentum affine track_running_stats normalized_shape elementwise_affine p
    inplace num_embeddings embedding_dim padding_idx max_norm norm_type scale_grad_by_freq sparse
    input_size hidden_size num_layers nonlinearity batch_first dropout bidirectional proj_size
    negative_slope dim reduction ignore_index label_smoothing margin beta delta log_target full
    threshold value min_val max_val lambd alpha approximate start_dim end_dim unflattened_size
    scale_factor mode align_corners output_size return_indices ceil_mode count_include_pad
    divisor_override num_groups num_channels upscale_factor embed_dim num_heads head_dim kdim vdim
    lower upper num_parameters init weight bias pos_weight running_mean running_var
    num_batches_tracked weight_ih weight_hh bias_ih bias_hh in_proj_weight in_proj_bias out_proj
    self_attn linear1 linear2 norm1 norm2 dropout1 dropout2 norm_first activation layers
    num_layers norm all_weights
    """
) | frozenset(
    f"{what}_{layer}{suffix}" for what in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    for layer in ("l0", "l1", "l2", "l3") for suffix in ("", "_reverse")
)

# torch.optim and its learning-rate schedulers.
OPTIMIZERS = _words(
    "Optimizer SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam LBFGS ASGD Rprop"
)
LR_SCHEDULERS = _words(
    """
    LambdaLR MultiplicativeLR StepLR MultiStepLR ConstantLR LinearLR ExponentialLR SequentialLR
    CosineAnnealingLR ChainedScheduler ReduceLROnPlateau CyclicLR OneCycleLR
    CosineAnnealingWarmRestarts PolynomialLR LRScheduler
    """
)
OPTIMIZER_MEMBERS = _words("step zero_grad param_groups state state_dict load_state_dict add_param_group defaults")
SCHEDULER_MEMBERS = _words("step get_last_lr last_epoch base_lrs state_dict load_state_dict optimizer")

# torch.autograd.functional, gradient checks, and the legacy names tutorials still use.
AUTOGRAD_FUNCTIONAL = _words("jacobian hessian vjp jvp hvp vhp")
GRADIENT_CHECKS = _words("gradcheck gradgradcheck")
# torch.empty and empty_like, made as zeros: uninitialised memory could show the process's old bytes.
ZEROED_CREATION = _words("empty empty_like")
LEGACY_TENSOR_TYPES = _words(
    "Tensor FloatTensor DoubleTensor HalfTensor BFloat16Tensor LongTensor IntTensor ShortTensor"
    " CharTensor ByteTensor BoolTensor"
)

# Devices: the CPU is the only one; GPU questions get honest answers, GPU requests a clear error.
DEVICE_FUNCTIONS = _words("device set_default_device get_default_device")
CUDA_FUNCTIONS = _words(
    "is_available device_count manual_seed manual_seed_all empty_cache is_initialized"
    " current_device get_device_name synchronize"
)
MPS_FUNCTIONS = _words("is_available is_built")
CUDNN_SETTINGS = _words("deterministic benchmark enabled")

# Complex numbers and the function form of in-place operations (in TORCH_FUNCTIONS and
# TENSOR_MEMBERS above); tensor members that are properties, not methods.
LIBRARY_TENSOR_PROPERTIES = _words("real imag is_cuda")
# grad_fn._saved_self, _saved_other...: read-only, as the autograd-mechanics notes show.
SAVED_PREFIX = "_saved_"

# Hooks and their handles, torch.utils.data, and matplotlib (accepted and skipped).
HANDLE_MEMBERS = _words("remove id")
DATA_CLASSES = _words("Dataset TensorDataset Subset DataLoader random_split")
DATA_MEMBERS = _words("dataset batch_size drop_last tensors indices")
PLOT_NAMES = _words(
    """
    plot scatter show figure subplots subplot xlabel ylabel title legend grid xlim ylim xscale
    yscale axhline axvline hlines vlines hist imshow bar barh savefig close tight_layout colorbar
    text annotate fill_between errorbar semilogy semilogx loglog contour contourf quiver pause ion
    ioff clf cla gca gcf suptitle xticks yticks axis step stem pie boxplot draw style use
    rcParams set_xlabel set_ylabel set_title set_xlim set_ylim set_xscale set_yscale set_aspect
    set_xticks set_yticks add_subplot twinx flat ravel set_size_inches subplots_adjust
    """
)

# A safe subset of numpy (explorer/core/sandbox/language/library/numpy_subset.py): numeric arrays only,
# every size checked before numpy allocates; nothing that reads files or reaches native code.
NUMPY_ELEMENTWISE = _words(
    """
    sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh exp exp2
    expm1 log log2 log10 log1p sqrt cbrt square abs absolute fabs sign floor ceil trunc rint
    round around negative positive reciprocal add subtract multiply divide true_divide
    floor_divide power float_power mod remainder fmod maximum minimum fmax fmin hypot logaddexp
    greater greater_equal less less_equal equal not_equal logical_and logical_or logical_not
    logical_xor isnan isinf isfinite isclose allclose array_equal clip where heaviside copysign
    nan_to_num deg2rad rad2deg degrees radians sinc real imag conj conjugate angle
    """
)
NUMPY_REDUCTIONS = _words(
    """
    sum mean std var max min amax amin prod argmax argmin median average all any nansum nanmean
    nanmax nanmin count_nonzero ptp percentile quantile trace cumsum cumprod
    """
)
NUMPY_SHAPES = _words(
    """
    reshape transpose swapaxes moveaxis squeeze expand_dims ravel copy concatenate stack vstack
    hstack column_stack dstack append atleast_1d atleast_2d atleast_3d flip fliplr flipud roll
    sort argsort unique nonzero argwhere flatnonzero triu tril searchsorted interp shape size
    ndim
    """
)
NUMPY_CREATION = _words(
    "array asarray zeros ones full empty zeros_like ones_like full_like empty_like arange"
    " linspace logspace eye identity diag meshgrid tile repeat outer"
)
NUMPY_PRODUCTS = _words("dot matmul inner vdot cov corrcoef")
NUMPY_LINALG = _words("norm inv pinv det slogdet solve lstsq svd eig eigh eigvals eigvalsh qr cholesky matrix_rank")
NUMPY_RANDOM = _words(
    """
    seed rand randn randint normal uniform choice shuffle permutation random random_sample
    standard_normal binomial poisson exponential beta gamma default_rng RandomState integers
    """
)
NUMPY_CONSTANTS = _words("pi e inf nan newaxis")
NUMPY_TYPES = _words(
    """
    ndarray dtype finfo iinfo float16 float32 float64 double single int8 int16 int32 int64 int_
    intp uint8 uint16 uint32 uint64 bool_ bool complex64 complex128
    """
)
# What a program may do with an array, a numpy number, a dtype, finfo/iinfo and a generator.
ARRAY_ATTRIBUTES = _words("shape dtype ndim size T itemsize nbytes real imag")
ARRAY_METHODS = _words(
    """
    reshape transpose swapaxes copy flatten ravel squeeze astype cumsum cumprod sort argsort clip
    round conj conjugate repeat fill nonzero diagonal sum mean std var max min argmax argmin prod
    all any ptp trace dot item tolist
    """
)
DTYPE_ATTRIBUTES = _words("name kind itemsize char str")
FINFO_ATTRIBUTES = _words("eps max min tiny resolution bits dtype precision smallest_normal")
NUMPY_NAMES = (
    NUMPY_ELEMENTWISE | NUMPY_REDUCTIONS | NUMPY_SHAPES | NUMPY_CREATION | NUMPY_PRODUCTS
    | NUMPY_LINALG | NUMPY_RANDOM | NUMPY_CONSTANTS | NUMPY_TYPES | ARRAY_ATTRIBUTES
    | ARRAY_METHODS | DTYPE_ATTRIBUTES | FINFO_ATTRIBUTES | _words("linalg random")
)

# torch.distributions (explorer/core/sandbox/language/library/distributions.py).
DISTRIBUTIONS = _words(
    """
    Distribution Categorical Normal Bernoulli Uniform MultivariateNormal Beta Gamma Exponential
    Laplace Poisson OneHotCategorical Independent Binomial Dirichlet LogNormal Geometric
    """
)
DISTRIBUTION_MODULES = _words(
    """
    categorical normal bernoulli uniform multivariate_normal beta gamma exponential laplace
    poisson one_hot_categorical independent binomial dirichlet log_normal geometric kl
    """
)
DISTRIBUTION_METHODS = _words("sample rsample log_prob entropy cdf icdf perplexity enumerate_support")
DISTRIBUTION_ATTRIBUTES = _words(
    """
    mean mode stddev variance probs logits batch_shape event_shape has_rsample
    has_enumerate_support loc scale low high concentration concentration0 concentration1 rate
    covariance_matrix scale_tril precision_matrix total_count base_dist
    reinterpreted_batch_ndims
    """
)
DISTRIBUTION_NAMES = (
    DISTRIBUTIONS | DISTRIBUTION_MODULES | DISTRIBUTION_METHODS | DISTRIBUTION_ATTRIBUTES
    | _words("distributions kl_divergence")
)

LIBRARY_NAMES = (
    NN_CLASSES | NN_INIT_FUNCTIONS | NN_UTILS_FUNCTIONS | MODULE_METHODS | MODULE_ATTRIBUTES
    | OPTIMIZERS | LR_SCHEDULERS | OPTIMIZER_MEMBERS | SCHEDULER_MEMBERS | AUTOGRAD_FUNCTIONAL
    | GRADIENT_CHECKS | ZEROED_CREATION | LEGACY_TENSOR_TYPES | DEVICE_FUNCTIONS | CUDA_FUNCTIONS | MPS_FUNCTIONS
    | CUDNN_SETTINGS | HANDLE_MEMBERS | DATA_CLASSES | DATA_MEMBERS | PLOT_NAMES
    | _words("Variable init utils optim lr_scheduler cuda backends mps cudnn data pyplot")
    | NUMPY_NAMES | DISTRIBUTION_NAMES
)


# Module paths that `import` accepts, with the namespace each binds.
IMPORTABLE = {
    "torch": "torch",
    "torch.nn": "torch.nn",
    "torch.nn.functional": "F",
    "torch.autograd": "torch.autograd",
    "torch.autograd.function": "torch.autograd.function",
    "torch.autograd.forward_ad": "torch.autograd.forward_ad",
    "random": "random",
    "typing": "typing",
    "collections": "collections",
    "copy": "copy",
    "time": "time",
    "__future__": "__future__",
    "torch.linalg": "torch.linalg",
    "math": "math",
    "torch.nn.init": "torch.nn.init",
    "torch.nn.utils": "torch.nn.utils",
    "torch.optim": "torch.optim",
    "torch.optim.lr_scheduler": "torch.optim.lr_scheduler",
    "torch.autograd.functional": "torch.autograd.functional",
    "torch.utils.data": "torch.utils.data",
    "torch.cuda": "torch.cuda",
    "matplotlib": "matplotlib",
    "matplotlib.pyplot": "matplotlib.pyplot",
    "numpy": "numpy",
    "numpy.random": "numpy.random",
    "numpy.linalg": "numpy.linalg",
    "torch.distributions": "torch.distributions",
    **{f"torch.distributions.{name}": f"torch.distributions.{name}" for name in sorted(DISTRIBUTION_MODULES)},
}


# the standard library modules the code box offers (explorer/core/sandbox/language/stdlib.py)
TYPING_NAMES = ("Any", "Callable", "Dict", "Iterable", "Iterator", "List", "Optional", "Sequence",
                "Set", "Tuple", "Type", "Union", "Mapping", "Generator")
FUTURE_NAMES = ("annotations", "print_function", "division", "absolute_import",
                "unicode_literals", "generator_stop", "nested_scopes", "generators",
                "with_statement")
STDLIB_MEMBER_NAMES = frozenset(
    (*TYPING_NAMES, *FUTURE_NAMES, "OrderedDict", "defaultdict", "copy", "deepcopy", "time",
     "perf_counter", "monotonic", "process_time", "sleep", "__version__"))


def _stdlib_member_names() -> frozenset[str]:
    return STDLIB_MEMBER_NAMES


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
        | DICT_METHODS
        | SET_METHODS
        | EXCEPTION_MEMBERS
        | CTX_MEMBERS
        | STR_METHODS
        | NODE_MEMBERS
        | STRUCT_MEMBERS
        | DTYPE_MEMBERS
        | DEVICE_MEMBERS
        | SIZE_MEMBERS
        | LIBRARY_NAMES
        | {"nn", "functional", "autograd", "linalg", "Function", "function", "once_differentiable",
           "set_printoptions", "set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled",
           "setter", "getter", "forward_ad", *FORWARD_AD_FUNCTIONS, "seed", "random", "uniform", "randint", "randrange", "choice",
           "choices", "shuffle", "sample", "gauss", "normalvariate", "getrandbits"}
        | _stdlib_member_names()
    )
