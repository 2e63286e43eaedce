"""Registries and configs: every component builds from every .py and .yaml config."""
import glob
import os.path as osp

import pytest
import torch
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


CONFIGS = sorted(
    osp.basename(path) for pattern in ('*.py', '*.yaml')
    for path in glob.glob(osp.join(osp.dirname(osp.dirname(__file__)), 'configs', pattern)))


def test_the_published_configs_exist():
    for name in ('part_wbbox_partimagenet.py', 'part_pooling_partimagenet.py',
                 'normal_resnet50_partimagenet.py', 'part_wbbox_synthetic.py',
                 'part_pooling_synthetic.py', 'normal_resnet18_synthetic.py'):
        assert name in CONFIGS
    assert any(name.endswith('.yaml') for name in CONFIGS)


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds_every_component(name, configs_dir, synthetic_root):
    cfg = Config.fromfile(osp.join(configs_dir, name))
    assert cfg.default_scope == 'partmm'
    model = MODELS.build(cfg.model)
    assert model.num_classes == 11
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
        dataset_cfg.data_root = synthetic_root
        dataset = DATASETS.build(dataset_cfg)
        packed = dataset[0]
        assert packed['inputs'].dtype == torch.uint8
        assert packed['data_samples'].gt_label.shape == (1, )


def test_yaml_variant_inherits_and_overrides(configs_dir):
    cfg = Config.fromfile(osp.join(configs_dir, 'part_wbbox-semi50_synthetic.yaml'))
    base = Config.fromfile(osp.join(configs_dir, 'part_wbbox_synthetic.py'))
    assert cfg.train_dataloader.dataset.part_label_fraction == 0.5
    assert cfg.model == base.model
    assert cfg.train_dataloader.dataset.pipeline == base.train_dataloader.dataset.pipeline


def test_classic_config_with_an_import_is_not_parsed_as_lazy(tmp_path):
    config = tmp_path / 'with_import.py'
    config.write_text("import os\nwork_dir = os.path.join('a', 'b')\n")
    assert Config.fromfile(str(config)).work_dir == osp.join('a', 'b')
