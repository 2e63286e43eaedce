"""Mixed precision on CPU, which mmengine's AmpOptimWrapper refuses."""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from partmm.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under CPU autocast in bfloat16.

    mmengine 0.10.7's ``AmpOptimWrapper`` asserts a GPU/NPU/MLU/MUSA device, so ``--amp`` fails
    on CPU. bfloat16 has float32's exponent range, so no loss scaling is needed; gradients and
    the optimizer step stay in float32. ``tools/train.py --amp`` picks this wrapper when CUDA is
    unavailable.

    Args:
        dtype (str): Autocast dtype, 'bfloat16' (default) or 'float16'.
        **kwargs: :class:`mmengine.optim.OptimWrapper` arguments.
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield
