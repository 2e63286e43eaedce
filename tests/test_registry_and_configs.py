"""Registries and configs: every component builds from every .py and .yaml config."""
import ast
import glob
import os.path as osp
import re

import pytest
import torch
from helpers import PART_POOLING, PART_WBBOX, PART_WBBOX_PGD, PART_WBBOX_SEMI50, REPO_ROOT, RESNET18
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import Registry
from mmseg import registry as mmseg_registry

import partmm.registry as partmm_registry
from partmm.registry import (
    ATTACKS,
    DATASETS,
    EVALUATOR,
    HOOKS,
    METRICS,
    MODELS,
    OPTIM_WRAPPERS,
    TRANSFORMS,
    VISUALIZERS,
)


def test_every_mmseg_node_has_a_partmm_child():
    mmseg_nodes = {name: node for name, node in vars(mmseg_registry).items()
                   if isinstance(node, Registry)}
    assert len(mmseg_nodes) == 21
    for name, mmseg_node in mmseg_nodes.items():
        node = getattr(partmm_registry, name)
        assert node.scope == 'partmm' and node.parent is mmseg_node, name


def test_names_resolve_across_partmm_mmseg_mmengine_and_mmdet():
    assert MODELS.get('PartClassifier').__module__.startswith('partmm')
    assert MODELS.get('EncoderDecoder').__module__.startswith('mmseg')
    assert MODELS.get('mmdet.DiceLoss').__module__.startswith('mmdet')
    assert TRANSFORMS.get('CenterCrop').__module__.startswith('mmcv')
    assert TRANSFORMS.get('RandomResizedCrop').__module__.startswith('partmm')
    assert HOOKS.get('CheckpointHook').__module__.startswith('mmengine')
    assert METRICS.get('IoUMetric').__module__.startswith('mmseg')
    assert OPTIM_WRAPPERS.get('CPUAmpOptimWrapper').__module__.startswith('partmm')


CONFIGS_ROOT = osp.join(REPO_ROOT, 'configs')
# Every leaf config of the tree, as a path under configs/ (the bases under _base_ are not
# meant to build alone).
CONFIGS = sorted(
    osp.relpath(path, CONFIGS_ROOT) for pattern in ('*.py', '*.yaml')
    for path in glob.glob(osp.join(CONFIGS_ROOT, '**', pattern), recursive=True)
    if '_base_' not in osp.relpath(path, CONFIGS_ROOT).split(osp.sep))
FAMILIES = ('part_wbbox', 'part_pooling', 'part_pixel', 'part_2heads', 'part_mask', 'part_seg',
            'part_sim', 'part_box', 'part_dino', 'seg_only', 'diagnostics', 'baselines')
ENTRY_POINTS = ('part_wbbox_partimagenet.py', 'part_pooling_partimagenet.py',
                'normal_resnet50_partimagenet.py')
# The blocks of the recipe, schedule and runtime bases: a leaf combines those bases instead of
# writing (or copying) the blocks again. A leaf may still change a value, e.g. train_cfg's epochs.
RECIPE_KEYS = {'custom_hooks', 'default_hooks', 'optim_wrapper', 'param_scheduler', 'env_cfg'}


def test_the_tree_holds_the_families_and_the_published_entry_points():
    folders = {osp.dirname(name) for name in CONFIGS}
    assert folders == {'', *FAMILIES}
    assert sorted(name for name in CONFIGS if '/' not in name) == sorted(ENTRY_POINTS)
    for family in FAMILIES:
        assert any(name.endswith('_partimagenet-224.py') for name in CONFIGS
                   if name.startswith(f'{family}/'))
    assert any(name.endswith('.yaml') for name in CONFIGS)
    for name in (PART_WBBOX, PART_WBBOX_PGD, PART_POOLING, RESNET18, PART_WBBOX_SEMI50):
        assert name in CONFIGS


def top_level_assignments(name: str) -> dict:
    """Name -> value node of each top-level assignment in the config ``name``."""
    with open(osp.join(CONFIGS_ROOT, name)) as f:
        tree = ast.parse(f.read())
    return {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


@pytest.mark.parametrize('entry_point', ENTRY_POINTS)
def test_an_entry_point_is_its_full_named_config_trained_into_that_work_dir(entry_point):
    (base, ) = ast.literal_eval(top_level_assignments(entry_point)['_base_'])
    full_name = osp.normpath(base)
    assert osp.dirname(full_name) in FAMILIES
    cfg = Config.fromfile(osp.join(CONFIGS_ROOT, entry_point))
    full = Config.fromfile(osp.join(CONFIGS_ROOT, full_name))
    assert cfg.work_dir == osp.join('work_dirs', osp.splitext(osp.basename(full_name))[0])
    assert {k: v for k, v in cfg.to_dict().items() if k != 'work_dir'} == full.to_dict()


@pytest.mark.parametrize('family', FAMILIES)
def test_each_family_readme_lists_exactly_its_configs(family):
    with open(osp.join(CONFIGS_ROOT, family, 'README.md')) as f:
        readme = f.read()
    listed = set(re.findall(r'`([\w.-]+\.(?:py|yaml))`', readme))
    configs = {osp.basename(name) for name in CONFIGS if name.startswith(f'{family}/')}
    assert configs <= listed, f'not in {family}/README.md: {sorted(configs - listed)}'
    assert listed <= configs, (
        f'{family}/README.md names configs that are not in the folder: {sorted(listed - configs)}')


@pytest.mark.parametrize('name', [name for name in CONFIGS if name.endswith('.py')])
def test_a_leaf_sets_no_recipe_key(name):
    assigned = set(top_level_assignments(name))
    assert not assigned & RECIPE_KEYS, (
        f'{name} sets {sorted(assigned & RECIPE_KEYS)}: put the recipe in configs/_base_/')


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds_every_component(name, configs_dir, synthetic_roots):
    cfg = Config.fromfile(osp.join(configs_dir, name))
    assert cfg.default_scope == 'partmm'
    model = MODELS.build(cfg.model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert optim_wrapper.optimizer.param_groups
    cfg.visualizer.name = f'visualizer_{name}'  # hooks draw through the current visualizer
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    VISUALIZERS.build(cfg.visualizer)
    for hook in [*cfg.default_hooks.values(), *cfg.get('custom_hooks', [])]:
        HOOKS.build(hook)
    for metric in cfg.val_evaluator:
        METRICS.build(metric)
    if cfg.test_cfg.get('type') == 'RobustTestLoop':
        for attack in cfg.test_cfg.attacks.values():
            ATTACKS.build(attack)
        EVALUATOR.build(cfg.test_evaluator)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset_cfg = cfg[key].dataset.copy()
        dataset_cfg.data_root = synthetic_roots[dataset_cfg.data_root]
        # The synthetic release has no original preparation to take the original split from.
        dataset_cfg.ann_file = dataset_cfg.ann_file.replace('splits/original/', 'splits/paper/')
        dataset = DATASETS.build(dataset_cfg)
        # The config's model fits the dataset (DatasetMetaCheckHook's checks, at build time).
        if hasattr(model, 'num_classes'):
            assert model.num_classes == len(dataset.metainfo['classes'])
        if model.num_part_labels is not None:
            assert model.num_part_labels == len(dataset.metainfo['part_names'])
            assert model.ignore_index == dataset.metainfo['ignore_index']
        head_table = getattr(getattr(model, 'part_head', None), 'part_to_class', None)
        if head_table is not None:
            assert list(head_table) == list(dataset.metainfo['part_to_class'])
        if cfg.get('part_to_class') is not None and dataset.label_type == 'part':
            assert list(cfg.part_to_class) == list(dataset.metainfo['part_to_class'])
        packed = dataset[0]
        assert packed['inputs'].dtype == torch.uint8
        assert packed['data_samples'].gt_label.shape == (1, )


def test_yaml_variant_inherits_and_overrides(configs_dir):
    cfg = Config.fromfile(osp.join(configs_dir, PART_WBBOX_SEMI50))
    base = Config.fromfile(osp.join(configs_dir, PART_WBBOX))
    assert cfg.train_dataloader.dataset.part_label_fraction == 0.5
    assert cfg.model == base.model
    assert cfg.train_dataloader.dataset.pipeline == base.train_dataloader.dataset.pipeline


def test_classic_config_with_an_import_is_not_parsed_as_lazy(tmp_path):
    config = tmp_path / 'with_import.py'
    config.write_text("import os\nwork_dir = os.path.join('a', 'b')\n")
    assert Config.fromfile(str(config)).work_dir == osp.join('a', 'b')
