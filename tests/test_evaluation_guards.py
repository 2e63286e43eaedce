"""Evaluation refuses plausible wrong numbers: a checkpoint of another model, a test set that
shares images with the training data, a model at chance."""
import os.path as osp
import shutil

import pytest
import torch
from helpers import PART_WBBOX, RESNET18, synthetic_cfg
from mmengine.config import Config
from mmengine.runner import Runner

from partmm.datasets.converters import convert_partimagenet
from partmm.engine.hooks.strict_load_hook import checkpoint_mismatch
from partmm.evaluation import RobustEvaluator, check_robust_evaluation
from partmm.registry import MODELS


def make_cfg(configs_dir: str, name: str, data_root: str, work_dir: str, **overrides) -> Config:
    """One epoch, validated."""
    return synthetic_cfg(configs_dir, name, data_root, work_dir, 1, **overrides)


@pytest.fixture(scope='module')
def trained(configs_dir, synthetic_root, tmp_path_factory) -> str:
    """A ResNet-18 checkpoint trained one epoch on the fixture's paper train split."""
    work_dir = str(tmp_path_factory.mktemp('trained'))
    Runner.from_cfg(make_cfg(configs_dir, RESNET18, synthetic_root,
                             work_dir)).train()
    return osp.join(work_dir, 'epoch_1.pth')


def test_checkpoints_record_their_training_and_validation_splits(trained, synthetic_root):
    splits = torch.load(trained, map_location='cpu', weights_only=False)['meta']['data_splits']
    assert splits['train']['ann_file'].endswith(osp.join('splits', 'paper', 'train.json'))
    assert splits['val']['ann_file'].endswith(osp.join('splits', 'paper', 'val.json'))
    assert splits['train']['num_samples'] == len(splits['train']['sample_hashes']) > 0
    assert splits['train']['fingerprint'] != splits['val']['fingerprint']
    assert splits['earlier_train'] == []


def test_testing_on_training_images_is_refused(configs_dir, synthetic_root, trained, tmp_path):
    on_train = dict(test_dataloader=dict(dataset=dict(ann_file='splits/paper/train.json')))
    cfg = make_cfg(configs_dir, RESNET18, synthetic_root,
                   str(tmp_path / 'a'), load_from=trained, **on_train)
    with pytest.raises(ValueError, match=r'(\d+) of the \1 test images .* trained checkpoint'):
        Runner.from_cfg(cfg).test()

    cfg = make_cfg(configs_dir, RESNET18, synthetic_root,
                   str(tmp_path / 'b'), load_from=trained, **on_train)
    cfg.default_hooks.data_split.allow_train_overlap = True
    assert 'accuracy/top1' in Runner.from_cfg(cfg).test()

    cfg = make_cfg(configs_dir, RESNET18, synthetic_root,
                   str(tmp_path / 'c'), load_from=trained)
    assert 'accuracy/top1' in Runner.from_cfg(cfg).test()  # the real test split is disjoint


def test_a_split_made_again_with_another_seed_is_refused(configs_dir, synthetic_root,
                                                         tmp_path):
    data_root = str(tmp_path / 'data')
    shutil.copytree(synthetic_root, data_root)
    Runner.from_cfg(make_cfg(configs_dir, RESNET18, data_root,
                             str(tmp_path / 'train'))).train()
    convert_partimagenet(data_root, seed=1, overwrite=True)  # the paper split, re-drawn
    cfg = make_cfg(configs_dir, RESNET18, data_root, str(tmp_path / 'test'),
                   load_from=str(tmp_path / 'train' / 'epoch_1.pth'))
    with pytest.raises(ValueError, match=r'\d+ of the \d+ test images .*splits/paper/train.json'):
        Runner.from_cfg(cfg).test()


def test_fine_tuned_checkpoints_remember_the_clean_stage_split(configs_dir, synthetic_root,
                                                               trained, tmp_path):
    on_val = dict(train_dataloader=dict(dataset=dict(ann_file='splits/paper/val.json')))
    cfg = make_cfg(configs_dir, RESNET18, synthetic_root,
                   str(tmp_path), load_from=trained, **on_val)
    Runner.from_cfg(cfg).train()
    splits = torch.load(tmp_path / 'epoch_1.pth', weights_only=False)['meta']['data_splits']
    clean_stage = torch.load(trained, weights_only=False)['meta']['data_splits']['train']
    assert splits['train']['ann_file'].endswith('val.json')
    assert [r['fingerprint'] for r in splits['earlier_train']] == [clean_stage['fingerprint']]


def test_a_checkpoint_of_another_model_is_refused(configs_dir, synthetic_root, trained,
                                                  tmp_path):
    cfg = make_cfg(configs_dir, PART_WBBOX, synthetic_root, str(tmp_path / 'a'),
                   load_from=trained)
    with pytest.raises(ValueError, match=r'does not fit the model.* \d+ of the model\'s \d+ '
                       r'weights are not in it \(.*\); \d+ of its \d+ weights'):
        Runner.from_cfg(cfg).test()

    part_model = MODELS.build(Config.fromfile(osp.join(configs_dir,
                                                       PART_WBBOX)).model)
    part_checkpoint = str(tmp_path / 'part.pth')
    torch.save(dict(state_dict=part_model.state_dict(), meta={}), part_checkpoint)
    cfg = make_cfg(configs_dir, RESNET18, synthetic_root,
                   str(tmp_path / 'b'), load_from=part_checkpoint)
    with pytest.raises(ValueError, match='does not fit the model'):
        Runner.from_cfg(cfg).test()


def test_checkpoint_mismatch_names_counts_and_shapes():
    model = dict(a=torch.zeros(2), b=torch.zeros(3), c=torch.zeros(1))
    assert checkpoint_mismatch(model, {f'module.{k}': v for k, v in model.items()}) == []
    problems = checkpoint_mismatch(model, dict(a=torch.zeros(2), b=torch.zeros(4),
                                               d=torch.zeros(1)))
    assert problems == ["1 of the model's 3 weights are not in it (c)",
                        '1 of its 3 weights are not in the model (d)',
                        '1 weights have other shapes (b: (4,) vs model (3,))']


def test_sanity_checks_flag_a_model_at_chance():
    def flagged(top1, num_samples):
        records = check_robust_evaluation(top1, [], num_samples, num_classes=11)
        return [r['check'] for r in records if not r['ok']] == ['clean_above_chance']

    assert flagged(9.1, 330) and flagged(12.0, 330)  # 1/11 = 9.09 %, noise 3.2 points
    assert not flagged(14.0, 330)
    assert flagged(18.0, 33) and not flagged(25.0, 33)  # fewer images, more noise
    assert check_robust_evaluation(9.1, [], 330) == []  # without classes: no check


def test_robust_evaluator_flags_chance_without_attacks():
    evaluator = RobustEvaluator([dict(type='ClassAccuracy')])
    evaluator.dataset_meta = dict(classes=tuple('abcdefghijk'))
    wrong = [dict(gt_label=torch.tensor([index % 11]),
                  pred_score=torch.nn.functional.one_hot(torch.tensor((index + 1) % 11), 11))
             for index in range(22)]
    evaluator.process(wrong)
    metrics = evaluator.evaluate(22)
    assert metrics['sanity/failed_checks'] == 1
    assert evaluator.sanity_records[0]['check'] == 'clean_above_chance'
