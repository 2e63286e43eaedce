import datetime
import warnings

import torch
from mmengine import DefaultScope
from mmengine.config import Config
from mmengine.logging import print_log

from .compat import configure_cpu_threads, setup_cpu_distributed
from .cpu_allocator import keep_freed_cpu_buffers
from .process import exit_with_launcher


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every partmm (and mmseg) module so their classes are in the registries.

    Args:
        init_default_scope (bool): Also make ``partmm`` the default scope, so unprefixed
            ``type`` names resolve in partmm, then mmseg, then mmengine. Defaults to True.
    """
    import mmseg.utils

    import partmm.attacks  # noqa: F401
    import partmm.datasets  # noqa: F401
    import partmm.engine  # noqa: F401
    import partmm.evaluation  # noqa: F401
    import partmm.models  # noqa: F401
    import partmm.structures  # noqa: F401
    import partmm.visualization  # noqa: F401

    mmseg.utils.register_all_modules(init_default_scope=False)
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('partmm'):
        DefaultScope.get_instance('partmm', scope_name='partmm')
    elif current.scope_name != 'partmm':
        warnings.warn(f'The current default scope "{current.scope_name}" is not "partmm"; '
                      '`register_all_modules` switches it to "partmm".')
        DefaultScope.get_instance(f'partmm-{datetime.datetime.now()}', scope_name='partmm')


def setup_runtime(cfg: Config, launcher: str) -> None:
    """Prepare a run of ``cfg`` under ``launcher`` on whatever device this machine has.

    A process started by torchrun dies with it (:func:`exit_with_launcher`). Without CUDA: a
    multi-process launch gets a gloo process group and plain BN (:func:`setup_cpu_distributed`),
    and the cores are split between the local processes (:func:`configure_cpu_threads`, or
    ``env_cfg.num_threads`` when set); freed buffers stay in the process for the next step
    (:func:`keep_freed_cpu_buffers`) unless ``env_cfg.keep_freed_cpu_buffers`` is False.
    mmengine's ``compile`` key compiles the model's network instead
    (:func:`compile_model_network`).
    """
    if launcher != 'none':
        exit_with_launcher()
    compile_model_network(cfg)
    setup_cpu_distributed(cfg, launcher)
    if not torch.cuda.is_available():
        env_cfg = cfg.get('env_cfg', {})
        configure_cpu_threads(env_cfg.get('num_threads'))
        if env_cfg.get('keep_freed_cpu_buffers', True):
            keep_freed_cpu_buffers()


def compile_model_network(cfg: Config) -> None:
    """Turn mmengine's top-level ``compile`` key into the model's own ``compile`` argument.

    mmengine's Runner compiles ``model.train_step`` (the data preprocessor, the optimizer
    step and, in adversarial training, the whole attack loop, which ``torch.autograd.grad``
    splits into many graphs) at ``train()`` only, so validation and test attacks stay eager.
    partmm classifiers compile the network forward that training, evaluation and every attack
    share instead (see ``BasePixelClassifier``). A ``model.compile`` set in the config wins.
    """
    compile_cfg = cfg.get('compile')
    if compile_cfg is None:
        return
    cfg.compile = None
    if compile_cfg is False or 'compile' in cfg.model:
        return
    cfg.model['compile'] = compile_cfg
    print_log(f'compile={compile_cfg}: torch.compile of the model\'s network forward '
              '(training, evaluation and attacks) instead of mmengine\'s train_step',
              logger='current')
