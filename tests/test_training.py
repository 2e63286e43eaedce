"""Training through the Runner: the loss falls, checkpoints save, load and resume."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from helpers import PART_POOLING, PART_WBBOX, REPO_ROOT, RESNET18, synthetic_cfg
from mmengine.config import Config
from mmengine.runner import Runner, load_checkpoint

from partmm.registry import HOOKS, MODELS


def loss_history(runner: Runner) -> list:
    return list(runner.message_hub.get_scalar('train/loss').data[0])


def test_short_training_run_loss_falls(configs_dir, synthetic_root, tmp_path):
    cfg = synthetic_cfg(configs_dir, PART_WBBOX, synthetic_root, str(tmp_path), 6)
    cfg.param_scheduler = []  # constant lr: the fall is the model's, not the schedule's
    runner = Runner.from_cfg(cfg)
    runner.train()
    losses = loss_history(runner)
    assert len(losses) == 6 * (len(runner.train_dataloader.dataset) // 8)
    first, last = sum(losses[:4]) / 4, sum(losses[-4:]) / 4
    assert last < 0.8 * first, losses
    metrics = runner.val_loop.run()
    assert {'accuracy/top1', 'part/mIoU', 'part/aAcc'} <= set(metrics)


def test_checkpoint_save_load_and_resume(configs_dir, synthetic_root, tmp_path):
    work_dir = str(tmp_path)
    runner = Runner.from_cfg(synthetic_cfg(configs_dir, PART_POOLING, synthetic_root,
                                      work_dir, 2))
    runner.train()
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    assert glob.glob(osp.join(work_dir, 'best_accuracy_top1_epoch_*.pth'))
    trained_state = {k: v.clone() for k, v in runner.model.state_dict().items()}

    cfg = synthetic_cfg(configs_dir, PART_POOLING, synthetic_root, work_dir, 3)
    fresh = MODELS.build(cfg.model)
    load_checkpoint(fresh, osp.join(work_dir, 'epoch_2.pth'), map_location='cpu')
    for key, value in fresh.state_dict().items():
        torch.testing.assert_close(value, trained_state[key], msg=key)

    cfg.resume = True
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert resumed.epoch == 3
    assert osp.isfile(osp.join(work_dir, 'epoch_3.pth'))
    # The checkpoint restores the logged history of epochs 1-2; only epoch 3 is trained anew.
    first_losses, resumed_losses = loss_history(runner), loss_history(resumed)
    iters_per_epoch = len(runner.train_dataloader.dataset) // 8
    assert resumed_losses[:len(first_losses)] == first_losses
    assert len(resumed_losses) == len(first_losses) + iters_per_epoch


def test_model_dataset_size_mismatch_names_the_config_key(configs_dir, synthetic_root,
                                                          tmp_path):
    cfg = synthetic_cfg(configs_dir, RESNET18, synthetic_root, str(tmp_path),
                   1, model=dict(num_classes=10))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match=r'model.num_classes = 10.*train_dataloader'):
        runner.train()


def test_cpu_mixed_precision_trains(configs_dir, synthetic_root, tmp_path):
    cfg = synthetic_cfg(configs_dir, RESNET18, synthetic_root, str(tmp_path),
                   1, optim_wrapper=dict(type='CPUAmpOptimWrapper'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert all(torch.isfinite(torch.tensor(loss_history(runner))))


def test_test_loop_draws_part_maps_on_the_network_input(configs_dir, synthetic_root, tmp_path):
    cfg = synthetic_cfg(configs_dir, PART_WBBOX, synthetic_root, str(tmp_path), 1)
    cfg.default_hooks.visualization.update(draw=True, interval=1)
    cfg.visualizer.update(save_dir=str(tmp_path / 'show'), name='draw_test')
    runner = Runner.from_cfg(cfg)
    runner.test()
    drawn = glob.glob(str(tmp_path / 'show' / '**' / '*.png'), recursive=True)
    assert len(drawn) == len(runner.test_dataloader.dataset)
    assert runner.visualizer.dataset_meta['classes'][1] == 'Aeroplane Head'
    assert len(runner.visualizer.dataset_meta['palette']) == 41


def test_a_part_model_trains_on_the_whole_pacos_uint16_part_maps(configs_dir, synthetic_roots,
                                                                 tmp_path):
    """The synthetic PACO in PACO-LVIS's label spaces (75 classes, 457 part labels, uint16 maps
    with 65535 unlabelled) through the runner: the sizes and the ignore index of the paco-224
    configs on the CPU network."""
    full = Config.fromfile(osp.join(
        configs_dir, 'part_wbbox',
        'part-wbbox_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_paco-224.py'))
    cfg = synthetic_cfg(
        configs_dir, 'part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_'
        'synthetic-paco-64.py', synthetic_roots[full.train_dataloader.dataset.data_root],
        str(tmp_path), 1)
    cfg.merge_from_dict({'model.num_classes': full.model.num_classes,
                         'model.num_part_labels': full.model.num_part_labels,
                         'model.segmentor.decode_head.ignore_index': 65535})
    cfg.custom_hooks = []
    runner = Runner.from_cfg(cfg)
    assert runner.train_dataloader.dataset.metainfo['ignore_index'] == 65535
    runner.train()
    assert all(torch.isfinite(torch.tensor(loss_history(runner))))
    metrics = runner.val_loop.run()
    assert 0 <= metrics['part/mIoU'] <= 100
    # The same run with mmseg's default ignore index stops before training, naming the key.
    cfg.model.segmentor.decode_head.ignore_index = 255
    cfg.work_dir = str(tmp_path / 'default_ignore_index')
    with pytest.raises(ValueError, match='set model.segmentor.decode_head.ignore_index = 65535'):
        Runner.from_cfg(cfg).train()


@pytest.mark.parametrize('dataset', ['pascal-part', 'cityscapes-parts', 'paco'])
@pytest.mark.parametrize('model', [
    'part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8',
    'part_pooling/part-pooling-4_deeplabv3plus-r18w32-os8',
    'baselines/timm-resnet18',
])
def test_every_model_type_trains_and_validates_on_every_synthetic_dataset(
        model, dataset, configs_dir, synthetic_roots, tmp_path):
    name = f'{model}_1xb32-adamw-12e_synthetic-{dataset}-64.py'
    data_root = Config.fromfile(osp.join(configs_dir, name)).train_dataloader.dataset.data_root
    cfg = synthetic_cfg(configs_dir, name, synthetic_roots[data_root], str(tmp_path), 1)
    cfg.param_scheduler = []
    cfg.custom_hooks = []  # no segmenter warm-up: the part loss must fall with the class loss
    runner = Runner.from_cfg(cfg)
    runner.train()
    losses = loss_history(runner)
    assert all(torch.isfinite(torch.tensor(losses)))
    metrics = runner.val_loop.run()
    assert 0 <= metrics['accuracy/top1'] <= 100
    if model.startswith('part_'):
        assert 'part/mIoU' in metrics


VARIANT_CONFIGS = [
    'part_pixel/part-pixel_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_2heads/part-2heads-d_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_2heads/part-2heads-e_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_mask/part-mask-inpt_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_seg/part-seg-cat_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_seg/part-seg-group_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_sim/part-sim-learn_mask2former-r18w16_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_pooling/object-pooling-4_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'diagnostics/groundtruth-mask_timm-resnet18_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'seg_only/fg-seg-only_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_box/part-wbbox-boxinst_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_box/part-wbbox-boxmask_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_dino/part-seq_dino-r18w16_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'part_dino/part-2heads_dino-r18w16_1xb32-adamw-12e_synthetic-partimagenet-64.py',
]


@pytest.mark.parametrize('name', VARIANT_CONFIGS)
def test_every_model_variant_trains_adversarially_and_validates_through_the_runner(
        name, configs_dir, synthetic_root, tmp_path):
    """Each variant's synthetic config, on 16 training images: one epoch of PGD adversarial
    training (PGD-1 inside the loss; the segmenter-only model trains clean), then validation
    with its metrics."""
    cfg = synthetic_cfg(configs_dir, name, synthetic_root, str(tmp_path), 1)
    cfg.train_dataloader.dataset.indices = 16
    cfg.val_dataloader.dataset.indices = 8
    cfg.param_scheduler = []
    segmenter_only = cfg.model.type == 'PartSegmenter'
    cfg.custom_hooks = [] if segmenter_only else [dict(
        type='PGDAdversarialTrainingHook',
        attack=dict(type='PGDAttack', eps=8 / 255, steps=1, step_size=8 / 255))]
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert all(torch.isfinite(torch.tensor(loss_history(runner))))
    metrics = runner.val_loop.run()
    assert ('part/mIoU' if segmenter_only else 'accuracy/top1') in metrics
    if cfg.model.type == 'DINOPartClassifier':
        assert 0 <= metrics['part/bbox_mAP'] <= 1
    if segmenter_only:
        return
    # The TRADES objective on one training batch (clean and adversarial halves in one forward).
    model = runner.model
    trades = HOOKS.build(dict(type='TRADESAdversarialTrainingHook', attack=dict(
        type='TRADESAttack', eps=8 / 255, steps=1, step_size=8 / 255)))
    model.train_objective = trades.objective
    data = model.data_preprocessor(next(iter(runner.train_dataloader)), True)
    losses = model(**data, mode='loss')
    assert losses and all(torch.isfinite(value).all() for value in losses.values())
    model.train_objective = None
    # tools/robust_test.py on its checkpoint: PGD-20 and AutoAttack (its APGD attacks, whose
    # cost is bounded: a test image that the 1-epoch model gets right whatever the input, as
    # a near-constant model does, would take Square's full 10,000 queries) on 2 test images.
    out = str(tmp_path / 'robust')
    result = subprocess.run(
        [sys.executable, 'tools/robust_test.py', osp.join(configs_dir, name),
         osp.join(str(tmp_path), 'epoch_1.pth'), '--attacks', 'pgd20,aa-apgd', '--eps', '8',
         '--corruptions', 'none', '--num-samples', '2', '--num-overlays', '1', '--out', out,
         '--work-dir', osp.join(out, 'work'), '--cfg-options',
         f'test_dataloader.dataset.data_root={synthetic_root}', 'env_cfg.num_threads=1'],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    with open(osp.join(out, 'results.json')) as f:
        run, = json.load(f)['runs']
    assert {attack['name'] for attack in run['attacks']} >= {'pgd20@eps8'}
