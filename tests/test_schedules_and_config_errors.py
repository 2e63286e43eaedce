"""Schedules follow the run's length; build errors name the config key they come from."""
import os.path as osp

import pytest
from helpers import PART_WBBOX, PART_WBBOX_PGD, synthetic_cfg
from mmengine.config import Config
from mmengine.runner import Runner

from partmm.utils.config_errors import config_key_errors, find_key_path
from partmm.utils.schedule import fit_schedule_to_run


def lr_per_epoch(runner: Runner, max_epochs: int) -> list:
    """The learning rate at the start of each epoch, stepping the
    schedulers as ``ParamSchedulerHook`` does (iteration-based ones every iteration, the others
    per epoch). The train loop is built first, as ``Runner.train`` does: mmengine takes a
    scheduler's default ``end`` from it."""
    iters_per_epoch = len(runner.train_loop.dataloader)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    schedulers = runner.build_param_scheduler(runner.cfg.param_scheduler)
    optimizer = runner.optim_wrapper.optimizer
    rates = []
    for _ in range(max_epochs):
        rates.append(optimizer.param_groups[0]['lr'])
        for _ in range(iters_per_epoch):
            for scheduler in schedulers:
                if not scheduler.by_epoch:
                    scheduler.step()
        for scheduler in schedulers:
            if scheduler.by_epoch:
                scheduler.step()
    return rates


@pytest.mark.parametrize('max_epochs', [4, 30])
@pytest.mark.parametrize('config', [PART_WBBOX, 'part_wbbox_partimagenet.py',
                                    PART_WBBOX_PGD])
def test_cosine_schedule_follows_a_shorter_or_longer_run(configs_dir, synthetic_root, tmp_path,
                                                         config, max_epochs):
    # train_cfg.max_epochs changed after loading, as --cfg-options does.
    loader = dict(num_workers=0, persistent_workers=False)  # the synthetic data, in-process
    cfg = synthetic_cfg(configs_dir, config, synthetic_root, str(tmp_path), max_epochs,
                        train_dataloader=loader)
    assert fit_schedule_to_run(cfg) == []  # nothing to warn of: the schedule follows the run
    base_lr = cfg.optim_wrapper.optimizer.lr
    rates = lr_per_epoch(Runner.from_cfg(cfg), max_epochs)
    # Decays over the whole run: positive in every epoch, half-way at half the run, and by
    # the last epoch at most a quarter (the cosine's last step before 0 in a 3-epoch decay).
    assert all(rate > 0 for rate in rates) and rates[-1] <= 0.2501 * base_lr, rates
    assert 0.3 * base_lr < rates[max_epochs // 2] < 0.8 * base_lr, rates


def test_a_schedule_that_states_its_own_end_must_fit_the_run(configs_dir):
    cfg = Config.fromfile(osp.join(configs_dir, PART_WBBOX))
    cfg.param_scheduler[1].end = 12
    cfg.merge_from_dict({'train_cfg.max_epochs': 6})
    with pytest.raises(ValueError, match=r'param_scheduler\[1\].*ends at epoch 12.*max_epochs '
                       r'= 6'):
        fit_schedule_to_run(cfg)
    cfg.merge_from_dict({'train_cfg.max_epochs': 20})
    warnings = fit_schedule_to_run(cfg)
    assert len(warnings) == 1 and 'the last 8 epoch(s)' in warnings[0]


def test_find_key_path_walks_dicts_and_lists():
    cfg = dict(model=dict(head=dict(type='A')), hooks=[dict(type='B'), dict(x=dict(type='C'))])
    assert find_key_path(cfg, dict(type='A')) == 'model.head'
    assert find_key_path(cfg, dict(type='C')) == 'hooks[1].x'
    assert find_key_path(cfg, dict(type='D')) is None


@pytest.mark.parametrize('key, value, error, path', [
    ('eps', -1.0, ValueError, r'custom_hooks\[0\]\.attack\.eps: '),
    ('norm', 'L3', ValueError, r'custom_hooks\[0\]\.attack\.norm: '),
    ('type', 'PGDAtack', KeyError, r'custom_hooks\[0\]\.attack\.type: .*PGDAtack'),
])
def test_build_errors_name_the_config_key(configs_dir, synthetic_root, tmp_path, key, value,
                                          error, path):
    cfg = synthetic_cfg(configs_dir, PART_WBBOX_PGD, synthetic_root,
                        str(tmp_path), 1)
    cfg.custom_hooks[0].attack[key] = value
    with pytest.raises(error, match=path), config_key_errors(cfg):
        Runner.from_cfg(cfg)
