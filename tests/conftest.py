"""Shared fixtures: small synthetic releases of the datasets, generated and converted once."""
import os
import os.path as osp

import pytest
import torch

from partmm.datasets.converters import (
    convert_cityscapes_parts,
    convert_paco,
    convert_partimagenet,
    convert_pascal_part,
)
from partmm.datasets.generators import (
    generate_synthetic_cityscapes_parts,
    generate_synthetic_paco,
    generate_synthetic_partimagenet,
    generate_synthetic_pascal_part,
)
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
def synthetic_roots(synthetic_root, tmp_path_factory) -> dict:
    """A config's ``data_root`` -> a small converted synthetic release of its dataset (PASCAL-Part
    60 images, Cityscapes-Panoptic-Parts 24 scenes, PACO 40 images with 72 px crops, and for
    the whole PACO the same 40 images in PACO-LVIS's full label spaces)."""
    pascal = str(tmp_path_factory.mktemp('synthetic_pascal_part'))
    generate_synthetic_pascal_part(pascal, num_images=60, seed=0)
    convert_pascal_part(pascal, seed=0)
    cityscapes = str(tmp_path_factory.mktemp('synthetic_cityscapes_parts'))
    generate_synthetic_cityscapes_parts(cityscapes, num_images=24, seed=0)
    convert_cityscapes_parts(cityscapes, seed=0)
    paco = str(tmp_path_factory.mktemp('synthetic_paco'))
    generate_synthetic_paco(paco, num_images=40, seed=0)
    convert_paco(paco, seed=0, crop_size=72)
    paco_full = str(tmp_path_factory.mktemp('synthetic_paco_full_label_space'))
    generate_synthetic_paco(paco_full, num_images=40, seed=0, full_label_space=True)
    convert_paco(paco_full, seed=0, crop_size=72)
    return {
        'data/synthetic_partimagenet': synthetic_root,
        'data/PartImageNet': synthetic_root,
        'data/synthetic_pascal_part': pascal,
        'data/VOCdevkit/VOC2010': pascal,
        'data/synthetic_cityscapes_parts': cityscapes,
        'data/cityscapes': cityscapes,
        'data/synthetic_paco/partmm': osp.join(paco, 'partmm'),
        'data/paco/partmm': osp.join(paco_full, 'partmm'),
    }


@pytest.fixture(scope='session')
def configs_dir() -> str:
    return osp.join(REPO_ROOT, 'configs')
