"""A test loop that measures robustness: attacks, common corruptions and shifted test sets."""
import copy
import os.path as osp
import re
import time
from typing import Callable, Dict, List, Optional, Sequence, Union

import torch
from mmengine.dist import is_main_process
from mmengine.evaluator import Evaluator
from mmengine.fileio import dump
from mmengine.logging import MMLogger
from mmengine.runner import TestLoop, autocast
from torch.utils.data import DataLoader

from partmm.datasets.transforms import COMMON_CORRUPTIONS
from partmm.evaluation import RobustEvaluator
from partmm.registry import ATTACKS, DATASETS, LOOPS
from partmm.utils import unwrap_model

ATTACK_NAME = re.compile(r'^[A-Za-z0-9@.+-]+(_[A-Za-z0-9@.+-]+)*$')


class TimedAttack:
    """An attack that adds the seconds it runs to ``seconds`` (per process)."""

    def __init__(self, attack: Callable) -> None:
        self.attack = attack
        self.seconds = 0.0

    def __call__(self, model, images, data_samples):
        start = time.perf_counter()
        try:
            return self.attack(model, images, data_samples)
        finally:
            self.seconds += time.perf_counter() - start


def describe_attack(name: str, attack) -> Dict:
    """What reports and sanity checks need to know of an attack: ``name``, ``kind`` (the
    part of the name before ``@``, e.g. the preset), ``type``, ``eps``, ``norm``,
    ``black_box`` and its public settings (``params``)."""
    params = {key: value for key, value in vars(attack).items()
              if not key.startswith('_') and isinstance(value, (int, float, str, bool, type(None),
                                                                 list, tuple))}
    return dict(name=name, kind=name.split('@')[0], type=type(attack).__name__,
                eps=float(attack.eps), norm=attack.norm,
                black_box=bool(getattr(attack, 'black_box', False)), params=params)


@LOOPS.register_module()
class RobustTestLoop(TestLoop):
    """mmengine's test loop, extended to the robust evaluations of the part-model papers.

    Stages, in order, each logged with progress and an ETA:

    1. The test set, clean and under every attack in ``attacks``: the model's ``predict``
       runs the attacks (gradients enabled inside the no-grad loop), so the evaluator's
       metrics see clean and per-attack predictions of each sample. Use
       :class:`RobustEvaluator` with :class:`ClassAccuracy` (and :class:`PartIoUMetric` for
       part models) for per-attack accuracy, the per-sample worst case and sanity checks.
    2. Each common corruption at each severity, applied on the fly by ``ImageCorruption``
       right before the pipeline packs the inputs (so on the test-size image, as in the
       papers), scored clean by ``clean_evaluator``. Keys
       ``corruption/{corruption}/{severity}/{key}``, ``corruption/{corruption}/mean/{key}``
       (over severities) and ``corruption/mean/{key}`` (over corruptions).
    3. Each dataset of ``shift_datasets`` (shape-vs-texture, spurious backgrounds, ...), in
       the test dataloader's place, scored by ``clean_evaluator``: ``shift/{name}/{key}``.

    All stages shard across processes like the test set and gather their results. The
    metrics of finished stages are written to ``partial_results_path`` as the loop goes.

    Args:
        runner (Runner): The runner.
        dataloader (dict): Test dataloader config (a config, not a built loader, when
            corruptions or shift datasets are asked for: they are built from it).
        evaluator (dict | list): Evaluator of stage 1.
        attacks (dict, optional): Attack name -> attack config (``partmm.registry.ATTACKS``).
            Names are used in metric keys: letters, digits and ``@ . + -``, joined by ``_``.
        corruptions (Sequence[str]): Common corruptions to run; ``'all'`` for the 15.
        severities (Sequence[int]): Severities 1..5 to run for each corruption.
        corruption_seed (int): Base seed of the corruptions (each image gets its own).
        shift_datasets (dict, optional): Name -> dataset config; a config without a
            ``pipeline`` takes the test pipeline.
        clean_evaluator (dict | list, optional): Evaluator of stages 2 and 3. Defaults to
            ``ClassAccuracy`` (top-1).
        log_interval (int): Batches between progress lines of the clean stages (the
            attacked stage logs every batch). Defaults to 10.
        fp16 (bool): Run in fp16 autocast. Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 attacks: Optional[Dict[str, dict]] = None,
                 corruptions: Union[str, Sequence[str]] = (),
                 severities: Sequence[int] = (1, 2, 3, 4, 5),
                 corruption_seed: int = 0,
                 shift_datasets: Optional[Dict[str, dict]] = None,
                 clean_evaluator: Optional[Union[Dict, List]] = None,
                 log_interval: int = 10,
                 fp16: bool = False) -> None:
        self.corruptions = list(COMMON_CORRUPTIONS) if corruptions == 'all' else list(
            corruptions)
        self.severities = list(severities)
        self.shift_datasets = dict(shift_datasets or {})
        unknown = sorted(set(self.corruptions) - set(COMMON_CORRUPTIONS))
        if unknown:
            raise ValueError(f'test_cfg.corruptions: unknown {unknown}; choose from '
                             f'{", ".join(COMMON_CORRUPTIONS)}')
        if any(severity not in (1, 2, 3, 4, 5) for severity in self.severities):
            raise ValueError(f'test_cfg.severities must be in 1..5, got {self.severities}')
        if (self.corruptions or self.shift_datasets) and not isinstance(dataloader, dict):
            raise TypeError('RobustTestLoop builds the corruption and shift stages from the test '
                            'dataloader config; got a built DataLoader')
        self.dataloader_cfg = copy.deepcopy(dataloader) if isinstance(dataloader, dict) else None
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.attacks: Dict[str, TimedAttack] = {}
        for name, cfg in (attacks or {}).items():
            if not ATTACK_NAME.match(name):
                raise ValueError(f'test_cfg.attacks: invalid attack name "{name}" (it becomes '
                                 'part of metric keys: use letters, digits, "@.+-" and "_")')
            self.attacks[name] = TimedAttack(ATTACKS.build(cfg))
        self.attack_specs = [describe_attack(name, timed.attack)
                             for name, timed in self.attacks.items()]
        self.corruption_seed = corruption_seed
        self.clean_evaluator = clean_evaluator or dict(type='ClassAccuracy')
        self.log_interval = log_interval
        self.stage_seconds: Dict[str, float] = {}
        self.stage_sizes: Dict[str, int] = {}
        self._seconds_per_batch: Dict[str, float] = {}
        self._attacked_batches_done = 0

    def run(self) -> dict:
        """Run every stage; return all metrics in one dict."""
        self.runner.call_hook('before_test')
        self.runner.call_hook('before_test_epoch')
        self.runner.model.eval()
        self._stages = self._plan_stages()
        metrics = self._run_attacked_stage()
        self._save_partial(metrics)
        for stage, dataloader_cfg in self._stages[1:]:
            metrics.update(self._run_clean_stage(stage, dataloader_cfg))
            self._save_partial(metrics)
        metrics.update(self._corruption_means(metrics))
        self.runner.call_hook('after_test_epoch', metrics=metrics)
        self.runner.call_hook('after_test')
        return metrics

    @property
    def partial_results_path(self) -> str:
        """Where the metrics of the finished stages are kept while the loop runs."""
        return osp.join(self.runner.work_dir, 'robust_metrics_partial.json')

    def _save_partial(self, metrics: dict) -> None:
        """Keep what is finished on disk: a crash in a late stage loses no earlier figures."""
        if is_main_process():
            dump(dict(finished_stages=list(self.stage_seconds), metrics=metrics),
                 self.partial_results_path, indent=2)

    def _plan_stages(self) -> List:
        """(stage name, dataloader config) of every stage; stage 1's loader is built.

        Shifted datasets are built here, before the long attacked stage, so that a missing
        folder fails at once.
        """
        stages = [('test', None)]
        for corruption in self.corruptions:
            for severity in self.severities:
                stages.append((f'corruption/{corruption}/{severity}',
                               self._corrupted_loader_cfg(corruption, severity)))
        for name, dataset in self.shift_datasets.items():
            loader = copy.deepcopy(self.dataloader_cfg)
            dataset = copy.deepcopy(dataset)
            dataset.setdefault('pipeline', copy.deepcopy(loader['dataset']['pipeline']))
            # Built now, and handed to the stage's loader as it is (mmengine takes a built
            # dataset in a loader config), so its files are read once.
            loader['dataset'] = DATASETS.build(dataset)
            stages.append((f'shift/{name}', loader))
        return stages

    def _corrupted_loader_cfg(self, corruption: str, severity: int) -> dict:
        loader = copy.deepcopy(self.dataloader_cfg)
        pipeline = loader['dataset'].get('pipeline')
        if not pipeline:
            raise KeyError('test_dataloader.dataset.pipeline is needed to add corruptions')
        # Corrupt the test-size image, just before it is packed into a tensor.
        pack = next((i for i, step in enumerate(pipeline)
                     if str(step.get('type', '')).startswith('Pack')), len(pipeline))
        pipeline.insert(pack, dict(type='ImageCorruption', corruption=corruption,
                                   severity=severity, seed=self.corruption_seed))
        return loader

    def _run_attacked_stage(self) -> dict:
        model = unwrap_model(self.runner.model)
        if isinstance(self.evaluator, RobustEvaluator):
            self.evaluator.set_attacks(self.attack_specs)
        model.eval_attacks = dict(self.attacks)
        self.test_loss.clear()
        start = time.perf_counter()
        try:
            for index, data_batch in enumerate(self.dataloader):
                self.run_iter(index, data_batch)
                self._log_progress(0, index, len(self.dataloader), start, interval=1)
        finally:
            model.eval_attacks = {}
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        self._finish_stage('test', len(self.dataloader), len(self.dataloader.dataset), start)
        return metrics

    def _run_clean_stage(self, stage: str, dataloader_cfg: dict) -> dict:
        index = [name for name, _ in self._stages].index(stage)
        dataloader = self.runner.build_dataloader(dataloader_cfg, seed=self.runner.seed)
        evaluator = self.runner.build_evaluator(copy.deepcopy(self.clean_evaluator))
        evaluator.dataset_meta = getattr(dataloader.dataset, 'metainfo', None)
        start = time.perf_counter()
        for batch_index, data_batch in enumerate(dataloader):
            with torch.no_grad(), autocast(enabled=self.fp16):
                outputs = self.runner.model.test_step(data_batch)
            evaluator.process(data_samples=outputs, data_batch=data_batch)
            self._log_progress(index, batch_index, len(dataloader), start)
        metrics = evaluator.evaluate(len(dataloader.dataset))
        self._finish_stage(stage, len(dataloader), len(dataloader.dataset), start)
        return {f'{stage}/{key}': value for key, value in metrics.items()}

    def _corruption_means(self, metrics: dict) -> dict:
        """Means over severities per corruption, and over corruptions, of every key."""
        means = {}
        for corruption in self.corruptions:
            prefix = f'corruption/{corruption}/'
            keys = {key.split('/', 3)[3] for key in metrics if key.startswith(prefix)}
            for key in keys:
                values = [metrics[f'{prefix}{severity}/{key}'] for severity in self.severities]
                means[f'{prefix}mean/{key}'] = round(sum(values) / len(values), 2)
        keys = {key.split('/', 3)[3] for key in means}
        for key in sorted(keys):
            values = [means[f'corruption/{c}/mean/{key}'] for c in self.corruptions]
            means[f'corruption/mean/{key}'] = round(sum(values) / len(values), 2)
        return means

    def _finish_stage(self, stage: str, num_batches: int, num_samples: int,
                      start: float) -> None:
        seconds = time.perf_counter() - start
        self.stage_seconds[stage] = seconds
        self.stage_sizes[stage] = num_samples
        kind = 'attacked' if stage == 'test' else 'clean'
        self._seconds_per_batch[kind] = seconds / max(num_batches, 1)

    def _log_progress(self, stage_index: int, batch_index: int, num_batches: int,
                      start: float, interval: Optional[int] = None) -> None:
        done = batch_index + 1
        if stage_index == 0:
            self._attacked_batches_done = done
        if done % (interval or self.log_interval) and done != num_batches:
            return
        elapsed = time.perf_counter() - start
        stage_eta = elapsed / done * (num_batches - done)
        remaining = stage_eta + self._remaining_stages_seconds(stage_index, elapsed / done)
        stage = self._stages[stage_index][0]
        MMLogger.get_current_instance().info(
            f'[robust] stage {stage_index + 1}/{len(self._stages)} {stage}: batch {done}/'
            f'{num_batches}, {elapsed:.0f} s, stage ETA {stage_eta:.0f} s, total ETA '
            f'{remaining:.0f} s')

    def _remaining_stages_seconds(self, stage_index: int, current_rate: float) -> float:
        """Estimated seconds of the stages after ``stage_index``.

        Clean stages take as long per batch as those measured so far; before the first one
        ends, as the attacked stage's batches minus their attack time (its clean forward).
        Shifted sets are assumed to be the size of the test set.
        """
        rate = self._seconds_per_batch.get('clean')
        if rate is None:
            attack_seconds = sum(timed.seconds for timed in self.attacks.values())
            rate = max(current_rate - attack_seconds / self._attacked_batches_done, 0.0) \
                if stage_index == 0 else current_rate
        return rate * len(self.dataloader) * (len(self._stages) - stage_index - 1)
