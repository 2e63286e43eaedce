"""Adversarial-training hooks: their objectives, robustness gained, validation and selection."""
import copy
import os.path as osp

import pytest
import torch
from helpers import PART_WBBOX, PART_WBBOX_PGD, make_samples, tiny_part_model
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner

from partmm.datasets.converters import convert_partimagenet
from partmm.datasets.generators import generate_synthetic_partimagenet
from partmm.registry import ATTACKS, DATASETS, HOOKS, MODELS


def test_pgd_objective_trains_on_adversarial_images_with_the_part_loss_on():
    torch.manual_seed(0)
    model = tiny_part_model().eval()  # eval: deterministic forwards to compare with
    hook = HOOKS.build(dict(type='PGDAdversarialTrainingHook',
                            attack=dict(type='PGDAttack', eps=8 / 255, steps=2,
                                        step_size=4 / 255, select='last', seed=0)))
    images, samples = torch.rand(2, 3, 32, 32), make_samples(2, 32, 32)
    losses = hook.objective(model, images, samples)
    assert {'loss_cls', 'decode.loss_ce'} <= set(losses)
    adversarial = hook.attack(model, images, samples)
    torch.testing.assert_close(losses['loss_cls'],
                               model.standard_loss(adversarial, samples)['loss_cls'])


def test_trades_objective_combines_clean_class_adversarial_parts_and_kl():
    torch.manual_seed(0)
    model = tiny_part_model().eval()  # eval: deterministic forwards to compare with
    hook = HOOKS.build(dict(type='TRADESAdversarialTrainingHook', beta=2.0,
                            attack=dict(type='TRADESAttack', eps=8 / 255, steps=2,
                                        step_size=4 / 255)))
    images, samples = torch.rand(2, 3, 32, 32), make_samples(2, 32, 32)
    losses = hook.objective(model, images, samples)
    assert {'loss_cls', 'decode.loss_ce', 'loss_trades', 'acc_adv'} <= set(losses)
    clean = model.compute_losses(model.training_outputs(images), samples, with_parts=False)
    torch.testing.assert_close(losses['loss_cls'], clean['loss_cls'])
    assert losses['loss_trades'].item() >= 0


@pytest.fixture(scope='module')
def small_train_set(tmp_path_factory):
    """176 synthetic training images at 32 px, as one preprocessed batch."""
    root = str(tmp_path_factory.mktemp('robust_data'))
    generate_synthetic_partimagenet(root, num_images=220, image_size=40, seed=0)
    convert_partimagenet(root, seed=0)
    pipeline = [
        dict(type='LoadImageFromFile'), dict(type='LoadPartAnnotations'),
        dict(type='ResizeShortestEdge', scale=40, max_size=1 << 16),
        dict(type='CenterCrop', crop_size=32), dict(type='PackPartInputs')
    ]
    dataset = DATASETS.build(dict(type='PartImageNetDataset', data_root=root,
                                  ann_file='splits/paper/train.json', pipeline=pipeline))
    return pseudo_collate([dataset[i] for i in range(len(dataset))])


def test_hook_trained_model_is_more_robust_than_a_clean_trained_one(small_train_set):
    """PGD-10 accuracy at Linf 8/255 on the training images, same init, data and steps."""
    base = MODELS.build(dict(type='TimmClassifier', model_name='test_resnet', num_classes=11))
    images = base.data_preprocessor(copy.deepcopy(small_train_set), False)['inputs']
    samples = small_train_set['data_samples']
    labels = torch.cat([sample.gt_label for sample in samples])
    hook = HOOKS.build(dict(type='PGDAdversarialTrainingHook',
                            attack=dict(type='PGDAttack', eps=8 / 255, steps=3,
                                        step_size=3 / 255, select='last')))
    evaluation = ATTACKS.build(dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=2 / 255,
                                    seed=0))

    def train_and_evaluate(adversarial: bool):
        torch.manual_seed(0)
        model = copy.deepcopy(base).train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
        generator = torch.Generator().manual_seed(0)
        for _ in range(150):
            index = torch.randperm(len(images), generator=generator)[:32]
            batch = [samples[i] for i in index]
            losses = hook.objective(model, images[index], batch) if adversarial else \
                model.standard_loss(images[index], batch)
            optimizer.zero_grad()
            sum(value for key, value in losses.items() if 'loss' in key).backward()
            optimizer.step()
        model.eval()
        attacked = evaluation(model, images, samples)
        with torch.no_grad():
            clean = (model(images, mode='tensor').argmax(dim=1) == labels).float().mean()
            robust = (model(attacked, mode='tensor').argmax(dim=1) == labels).float().mean()
        return clean.item(), robust.item()

    clean_model = train_and_evaluate(adversarial=False)
    robust_model = train_and_evaluate(adversarial=True)
    assert clean_model[0] > 0.9 and robust_model[0] > 0.9, (clean_model, robust_model)
    assert robust_model[1] > clean_model[1] + 0.5, (clean_model, robust_model)


def test_adversarial_fine_tuning_validates_under_attack_and_selects_by_guarded_accuracy(
        configs_dir, synthetic_root, tmp_path):
    def cfg_for(name: str, work_dir: str) -> Config:
        cfg = Config.fromfile(osp.join(configs_dir, name))
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            cfg[key].dataset.data_root = synthetic_root
            cfg[key].batch_size = 8
        cfg.work_dir = work_dir
        cfg.train_cfg.max_epochs = 1
        cfg.train_cfg.val_interval = 1
        cfg.param_scheduler = []
        cfg.visualizer.name = name
        return cfg

    clean_dir = str(tmp_path / 'clean')
    Runner.from_cfg(cfg_for(PART_WBBOX, clean_dir)).train()
    assert osp.islink(osp.join(clean_dir, 'best.pth'))

    cfg = cfg_for(PART_WBBOX_PGD, str(tmp_path / 'pgd'))
    cfg.load_from = osp.join(clean_dir, 'best.pth')
    hook = cfg.custom_hooks[0]
    hook.attack.steps = 1
    hook.val_attack.steps = 2
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    assert metrics['accuracy/adv_top1'] <= metrics['accuracy/top1']
    assert metrics['accuracy/adv_top1_guarded'] == metrics['accuracy/adv_top1']
    assert osp.isfile(osp.join(cfg.work_dir, 'best_accuracy_adv_top1_guarded_epoch_1.pth'))
    test_metrics = runner.test()
    assert 'accuracy/adv_top1' in test_metrics
    assert runner.model.eval_attacks == {} and runner.model.train_objective is None


def test_adversarial_objective_trains_under_cpu_mixed_precision():
    from mmengine.optim import build_optim_wrapper
    torch.manual_seed(0)
    model = tiny_part_model()
    model.train_objective = HOOKS.build(dict(
        type='TRADESAdversarialTrainingHook',
        attack=dict(type='TRADESAttack', eps=8 / 255, steps=2, step_size=4 / 255))).objective
    wrapper = build_optim_wrapper(
        model, dict(type='CPUAmpOptimWrapper', optimizer=dict(type='SGD', lr=0.01)))
    data = dict(inputs=[torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8) for _ in range(2)],
                data_samples=make_samples(2, 32, 32))
    before = model.part_head.classifier[-1].weight.detach().clone()
    log_vars = model.train_step(data, wrapper)
    assert {'loss', 'loss_trades', 'acc_adv'} <= set(log_vars)
    assert torch.isfinite(torch.tensor(log_vars['loss']))
    assert not torch.equal(before, model.part_head.classifier[-1].weight)
