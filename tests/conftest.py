"""Shared fixtures: a small synthetic PartImageNet release, generated and converted once."""
import os
import os.path as osp

import pytest
import torch

from partmm.datasets.converters import convert_partimagenet
from partmm.datasets.generators import generate_synthetic_partimagenet
from partmm.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# Tests share 2 cores with whatever else runs; one thread each keeps them from thrashing.
torch.set_num_threads(1)
os.environ.setdefault('OMP_NUM_THREADS', '1')
register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory) -> str:
    """A converted synthetic release: 6 images per class, 72 px (the default image size)."""
    root = str(tmp_path_factory.mktemp('synthetic_partimagenet'))
    generate_synthetic_partimagenet(root, num_images=66, image_size=72, seed=0)
    convert_partimagenet(root, seed=0)
    return root


@pytest.fixture(scope='session')
def configs_dir() -> str:
    return osp.join(REPO_ROOT, 'configs')
