"""partmm's registry nodes: one child of each MMSegmentation node, under scope ``partmm``.

With ``default_scope='partmm'`` a config resolves an unprefixed ``type`` in partmm first, then in
mmseg and mmengine; sibling packages need their prefix (``type='mmdet.DiceLoss'``).

``locations`` lists mmseg's packages as well as partmm's: mmengine imports the ``locations`` of
the node that ``get()`` runs on, never its parents', so without them an mmseg class such as
``EncoderDecoder`` would be missing until something else imported ``mmseg.models``.
"""
from mmengine.registry import Registry
from mmseg.registry import DATA_SAMPLERS as MMSEG_DATA_SAMPLERS
from mmseg.registry import DATASETS as MMSEG_DATASETS
from mmseg.registry import EVALUATOR as MMSEG_EVALUATOR
from mmseg.registry import HOOKS as MMSEG_HOOKS
from mmseg.registry import INFERENCERS as MMSEG_INFERENCERS
from mmseg.registry import LOG_PROCESSORS as MMSEG_LOG_PROCESSORS
from mmseg.registry import LOOPS as MMSEG_LOOPS
from mmseg.registry import METRICS as MMSEG_METRICS
from mmseg.registry import MODEL_WRAPPERS as MMSEG_MODEL_WRAPPERS
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMSEG_OPTIM_WRAPPER_CONSTRUCTORS
from mmseg.registry import OPTIM_WRAPPERS as MMSEG_OPTIM_WRAPPERS
from mmseg.registry import OPTIMIZERS as MMSEG_OPTIMIZERS
from mmseg.registry import PARAM_SCHEDULERS as MMSEG_PARAM_SCHEDULERS
from mmseg.registry import RUNNER_CONSTRUCTORS as MMSEG_RUNNER_CONSTRUCTORS
from mmseg.registry import RUNNERS as MMSEG_RUNNERS
from mmseg.registry import TASK_UTILS as MMSEG_TASK_UTILS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS
from mmseg.registry import VISBACKENDS as MMSEG_VISBACKENDS
from mmseg.registry import VISUALIZERS as MMSEG_VISUALIZERS
from mmseg.registry import WEIGHT_INITIALIZERS as MMSEG_WEIGHT_INITIALIZERS

__all__ = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'DATASETS', 'DATA_SAMPLERS',
    'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'OPTIMIZERS',
    'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'METRICS',
    'EVALUATOR', 'TASK_UTILS', 'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS', 'INFERENCERS',
    'ATTACKS'
]

_SCOPE = 'partmm'

RUNNERS = Registry('runner', parent=MMSEG_RUNNERS, scope=_SCOPE, locations=['partmm.engine'])
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMSEG_RUNNER_CONSTRUCTORS, scope=_SCOPE,
    locations=['partmm.engine'])
LOOPS = Registry('loop', parent=MMSEG_LOOPS, scope=_SCOPE, locations=['partmm.engine'])
HOOKS = Registry(
    'hook', parent=MMSEG_HOOKS, scope=_SCOPE,
    locations=['mmseg.engine.hooks', 'partmm.engine'])

DATASETS = Registry(
    'dataset', parent=MMSEG_DATASETS, scope=_SCOPE,
    locations=['mmseg.datasets', 'partmm.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMSEG_DATA_SAMPLERS, scope=_SCOPE, locations=['partmm.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMSEG_TRANSFORMS, scope=_SCOPE,
    locations=['mmseg.datasets.transforms', 'partmm.datasets.transforms'])

MODELS = Registry(
    'model', parent=MMSEG_MODELS, scope=_SCOPE, locations=['mmseg.models', 'partmm.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMSEG_MODEL_WRAPPERS, scope=_SCOPE,
    locations=['mmseg.models', 'partmm.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMSEG_WEIGHT_INITIALIZERS, scope=_SCOPE,
    locations=['mmseg.models', 'partmm.models'])
TASK_UTILS = Registry(
    'task util', parent=MMSEG_TASK_UTILS, scope=_SCOPE,
    locations=['mmseg.models', 'partmm.models'])

OPTIMIZERS = Registry(
    'optimizer', parent=MMSEG_OPTIMIZERS, scope=_SCOPE,
    locations=['mmseg.engine.optimizers', 'partmm.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMSEG_OPTIM_WRAPPERS, scope=_SCOPE,
    locations=['mmseg.engine.optimizers', 'partmm.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMSEG_OPTIM_WRAPPER_CONSTRUCTORS, scope=_SCOPE,
    locations=['mmseg.engine.optimizers', 'partmm.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMSEG_PARAM_SCHEDULERS, scope=_SCOPE,
    locations=['mmseg.engine.schedulers', 'partmm.engine'])

METRICS = Registry(
    'metric', parent=MMSEG_METRICS, scope=_SCOPE,
    locations=['mmseg.evaluation', 'partmm.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMSEG_EVALUATOR, scope=_SCOPE,
    locations=['mmseg.evaluation', 'partmm.evaluation'])

VISUALIZERS = Registry(
    'visualizer', parent=MMSEG_VISUALIZERS, scope=_SCOPE,
    locations=['mmseg.visualization', 'partmm.visualization'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMSEG_VISBACKENDS, scope=_SCOPE, locations=['mmseg.visualization'])
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMSEG_LOG_PROCESSORS, scope=_SCOPE,
    locations=['mmseg.visualization'])
INFERENCERS = Registry('inferencer', parent=MMSEG_INFERENCERS, scope=_SCOPE)

# partmm's own node (no mmseg counterpart): adversarial attacks in [0, 1] pixel space.
ATTACKS = Registry('attack', scope=_SCOPE, locations=['partmm.attacks'])
