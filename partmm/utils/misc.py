"""Small helpers shared across partmm."""
import torch.nn as nn
from mmengine.model import is_model_wrapper


def unwrap_model(model: nn.Module) -> nn.Module:
    """The model itself, without a DDP (or other mmengine) wrapper around it."""
    return model.module if is_model_wrapper(model) else model
