from .compat import apply_compat_patches, configure_cpu_threads, setup_cpu_distributed
from .cpu_allocator import keep_freed_cpu_buffers
from .misc import evenly_spaced, format_examples, load_config, spread_over_classes, unwrap_model
from .process import close_process_group
from .set_env import register_all_modules, setup_runtime

__all__ = [
    'apply_compat_patches', 'close_process_group', 'configure_cpu_threads', 'evenly_spaced',
    'format_examples', 'keep_freed_cpu_buffers', 'load_config', 'register_all_modules',
    'setup_cpu_distributed', 'setup_runtime', 'spread_over_classes', 'unwrap_model'
]
