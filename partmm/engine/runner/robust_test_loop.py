"""A test loop that measures robustness: attacks, common corruptions and shifted test sets."""
import copy
import os.path as osp
import re
import time
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import torch
from mmengine.dist import all_reduce, barrier, broadcast_object_list, is_main_process
from mmengine.evaluator import Evaluator
from mmengine.fileio import dump
from mmengine.logging import MMLogger
from mmengine.runner import TestLoop, autocast
from torch.utils.data import DataLoader

from partmm.datasets.transforms import COMMON_CORRUPTIONS
from partmm.evaluation import RobustEvaluator
from partmm.registry import ATTACKS, DATASETS, LOOPS
from partmm.utils import unwrap_model

from .digests import dataset_digest, digest, package_versions, source_digest
from .prediction_records import attach_predictions, split_predictions
from .result_cache import ResultCache

ATTACK_NAME = re.compile(r'^[A-Za-z0-9@.+-]+(_[A-Za-z0-9@.+-]+)*$')
# Loader settings that change how fast a stage runs, not what it computes.
SPEED_ONLY_LOADER_KEYS = ('num_workers', 'persistent_workers', 'pin_memory')


class TimedAttack:
    """An attack that adds the seconds it runs to ``seconds`` (per process).

    Of an attack that runs a cascade of sub-attacks (one with a ``cascade``, AutoAttack), it
    adds each sub-attack's seconds to ``step_seconds`` (sub-attack -> seconds, in the
    cascade's order).
    """

    def __init__(self, attack: Callable) -> None:
        self.attack = attack
        self.seconds = 0.0
        self.step_seconds: Dict[str, float] = {}

    def __call__(self, model, images, data_samples):
        start = time.perf_counter()
        try:
            adversarial = self.attack(model, images, data_samples)
        finally:
            self.seconds += time.perf_counter() - start
        self.add_step_seconds(self.cascade)
        return adversarial

    @property
    def cascade(self) -> Optional[dict]:
        """The attack's record of its last call, sub-attack by sub-attack (AutoAttack's
        ``cascade``); None for other attacks."""
        return getattr(self.attack, 'cascade', None)

    def add_step_seconds(self, cascade: Optional[dict]) -> None:
        """Count the seconds of each sub-attack of ``cascade`` (a ``cascade`` record)."""
        if cascade is None:
            return
        for step, seconds in zip(cascade['attacks'], cascade['seconds']):
            self.step_seconds[step] = self.step_seconds.get(step, 0.0) + seconds


class Stage(NamedTuple):
    """A stage of :class:`RobustTestLoop`: its ``name``, its ``dataloader`` config, the
    ``key`` of its cached result and the ``settings`` recorded with it (all None but the
    name for stage 1, which runs the test dataloader and is cached per batch)."""
    name: str
    dataloader: Optional[dict] = None
    key: Optional[str] = None
    settings: Optional[dict] = None


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
       part models) for per-attack accuracy, the per-sample worst case and sanity checks;
       of AutoAttack also the robust accuracy after each of its sub-attacks.
    2. Each common corruption at each severity, applied on the fly by ``ImageCorruption``
       right before the pipeline packs the inputs (so on the test-size image, as in the
       papers), scored clean by ``clean_evaluator``. Keys
       ``corruption/{corruption}/{severity}/{key}``, ``corruption/{corruption}/mean/{key}``
       (over severities) and ``corruption/mean/{key}`` (over corruptions).
    3. Each dataset of ``shift_datasets`` (shape-vs-texture, spurious backgrounds, ...), in
       the test dataloader's place, scored by ``clean_evaluator``: ``shift/{name}/{key}``.

    All stages shard across processes like the test set and gather their results. The
    metrics of finished stages are written to ``partial_results_path`` as the loop goes.

    Finished work is kept in a :class:`ResultCache` (``cache_dir``) and reused when the loop
    runs again, so a killed evaluation resumes where it stopped and a new or changed attack
    runs alone. Stage 1 is kept per batch: the clean predictions (``test/clean/``) and each
    attack's (``test/attacks/{name}/``, with the seconds it took and, for AutoAttack, what each
    of its sub-attacks left robust) apart, keyed by the model
    (its loaded weights, config, fp16, device, code and libraries), the batch's content (its
    samples' identities, pixels and labels, so that sharded runs resume too) and, for an
    attack, its config and code. The metrics see predictions rebuilt from these records,
    computed or reused alike. Each later stage is kept whole (``{stage}/``), keyed by the model,
    its dataset (config with the corruption, samples and their files) and ``clean_evaluator``.

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
        resume (bool): Reuse the results the cache holds. False deletes the cache first, and
            everything is computed (and cached) again. Defaults to True.
        cache_dir (str, optional): Folder of the cache. Defaults to
            ``<work_dir>/robust_cache``.
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
                 fp16: bool = False,
                 resume: bool = True,
                 cache_dir: Optional[str] = None) -> None:
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
        self.attack_cfgs: Dict[str, dict] = {}
        for name, cfg in (attacks or {}).items():
            if not ATTACK_NAME.match(name):
                raise ValueError(f'test_cfg.attacks: invalid attack name "{name}" (it becomes '
                                 'part of metric keys: use letters, digits, "@.+-" and "_")')
            self.attack_cfgs[name] = copy.deepcopy(cfg)
            self.attacks[name] = TimedAttack(ATTACKS.build(cfg))
        # What an attack's results depend on beside the model and the batch.
        self._attack_keys = {name: digest(cfg, source_digest('partmm.attacks'),
                                          package_versions('pyautoattack', 'foolbox'))
                             for name, cfg in self.attack_cfgs.items()}
        self.attack_specs = [describe_attack(name, timed.attack)
                             for name, timed in self.attacks.items()]
        self.corruption_seed = corruption_seed
        self.clean_evaluator = clean_evaluator or dict(type='ClassAccuracy')
        self.log_interval = log_interval
        self.stage_seconds: Dict[str, float] = {}
        self.stage_sizes: Dict[str, int] = {}
        self.resume = resume
        self.cache_dir = cache_dir
        # Seconds per batch of a clean stage: measured, or estimated from stage 1.
        self._clean_seconds_per_batch: Optional[float] = None
        self._clean_estimate = 0.0

    def run(self) -> dict:
        """Run every stage, reusing what the cache holds; return all metrics in one dict."""
        self.runner.call_hook('before_test')
        self.runner.call_hook('before_test_epoch')
        self.runner.model.eval()
        self._cache = self._open_cache()
        self._model_key = self._compute_model_key()
        self._stages = self._plan_stages()
        self._reused_stages = self._load_finished_stages()
        metrics = self._run_attacked_stage()
        self._save_partial(metrics)
        for stage_index in range(1, len(self._stages)):
            metrics.update(self._run_clean_stage(stage_index))
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

    def _open_cache(self) -> ResultCache:
        root = self.cache_dir or osp.join(self.runner.work_dir, 'robust_cache')
        cache = ResultCache(root, resume=self.resume)
        if not self.resume and is_main_process():
            cache.clear()
        barrier()  # no process reads or writes an entry before the old ones are gone
        MMLogger.get_current_instance().info(
            f'[robust] results cache: {root} '
            f'({"finished results are reused" if self.resume else "resume off: cleared"})')
        return cache

    def _compute_model_key(self) -> str:
        """Digest of what the model's predictions depend on: its weights as loaded (whatever
        the checkpoint's path), config, fp16, device, code and libraries."""
        model = unwrap_model(self.runner.model)
        cfg = self.runner.cfg
        return digest(model.state_dict(), type(model).__qualname__, cfg.get('model'),
                      cfg.get('data_preprocessor'), self.fp16,
                      next(model.parameters()).device.type,
                      source_digest('partmm.models', 'partmm.structures'),
                      package_versions('torch', 'mmengine', 'mmcv', 'mmsegmentation', 'mmdet',
                                       'timm'))

    def _plan_stages(self) -> List[Stage]:
        """Every stage, with the key of its cached result; stage 1's loader is built.

        Shifted datasets are built here, before the long attacked stage, so that a missing
        folder fails at once.
        """
        stages = [Stage('test')]
        if self.corruptions:
            test_data = dataset_digest(self.dataloader.dataset)
        for corruption in self.corruptions:
            for severity in self.severities:
                loader = self._corrupted_loader_cfg(corruption, severity)
                stages.append(self._clean_stage(f'corruption/{corruption}/{severity}', loader,
                                                loader['dataset'], test_data))
        for name, dataset in self.shift_datasets.items():
            loader = copy.deepcopy(self.dataloader_cfg)
            dataset = copy.deepcopy(dataset)
            dataset.setdefault('pipeline', copy.deepcopy(loader['dataset']['pipeline']))
            # Built now, and handed to the stage's loader as it is (mmengine takes a built
            # dataset in a loader config), so its files are read once.
            loader['dataset'] = DATASETS.build(dataset)
            stages.append(self._clean_stage(f'shift/{name}', loader, dataset,
                                            dataset_digest(loader['dataset'])))
        return stages

    def _clean_stage(self, name: str, loader: dict, dataset_cfg: dict, data: str) -> Stage:
        """A later stage: ``loader`` (a dataloader config) runs ``dataset_cfg``, whose samples
        and files have the digest ``data``."""
        loader_settings = {key: value for key, value in loader.items()
                           if key not in ('dataset', ) + SPEED_ONLY_LOADER_KEYS}
        key = digest(self._model_key, name, loader_settings, dataset_cfg, data,
                     self.clean_evaluator, source_digest('partmm.datasets',
                                                         'partmm.evaluation.metrics'),
                     package_versions('imagecorruptions-imaug'))
        settings = dict(stage=name, checkpoint=self.runner.cfg.get('load_from'),
                        dataset=dataset_cfg, evaluator=self.clean_evaluator)
        return Stage(name, loader, key, settings)

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

    def _load_finished_stages(self) -> Dict[str, dict]:
        """Stage name -> cached result, of the later stages the cache holds.

        The main process reads them and hands them to the others, so that all processes skip
        the same stages (their gathers would wait for each other otherwise).
        """
        finished = {}
        if is_main_process():
            for stage in self._stages[1:]:
                result = self._cache.load(stage.name, stage.key)
                if result is not None:
                    finished[stage.name] = result
        shared = [finished]
        broadcast_object_list(shared)
        if len(self._stages) > 1:
            MMLogger.get_current_instance().info(
                f'[robust] {len(shared[0])}/{len(self._stages) - 1} stages after stage 1 are '
                f'finished in {self._cache.root}')
        return shared[0]

    def _run_attacked_stage(self) -> dict:
        model = unwrap_model(self.runner.model)
        if isinstance(self.evaluator, RobustEvaluator):
            self.evaluator.set_attacks(self.attack_specs)
        num_batches = len(self.dataloader)
        # Batches (of this process) computed, their seconds and attack seconds; batches whose
        # clean and attacked predictions were all reused; batches reused per attack.
        computed, computed_seconds, attack_seconds, reused_batches = 0, 0.0, 0.0, 0
        reused_clean, reused = 0, dict.fromkeys(self.attacks, 0)
        start = last = time.perf_counter()
        try:
            for index, data_batch in enumerate(self.dataloader):
                clean_reused, reused_attacks, seconds = self._run_attacked_iter(index, data_batch)
                reused_clean += clean_reused
                for name in reused_attacks:
                    reused[name] += 1
                now = time.perf_counter()
                if clean_reused and len(reused_attacks) == len(reused):
                    reused_batches += 1
                else:
                    computed += 1
                    computed_seconds += now - last
                    attack_seconds += seconds
                    self._clean_estimate = max(computed_seconds - attack_seconds, 0.) / computed
                last = now
                self._log_progress(0, index + 1, num_batches, now - start,
                                   computed_seconds / computed if computed else 0.0, interval=1,
                                   note=f' ({reused_batches} reused)' if reused_batches else '')
        finally:
            model.eval_attacks = {}
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        self._finish_stage('test', num_batches, len(self.dataloader.dataset), start)
        self._log_reuse(num_batches, reused_batches, reused_clean, reused)
        return metrics

    @torch.no_grad()
    def _run_attacked_iter(self, index: int,
                           data_batch: dict) -> Tuple[bool, List[str], float]:
        """One batch of stage 1: what the cache holds of it is reused, the rest computed (the
        missing attacks only) and cached; the evaluator gets the predictions of both.

        Returns whether the clean predictions were reused, the attacks whose were, and the
        seconds spent attacking.
        """
        self.runner.call_hook('before_test_iter', batch_idx=index, data_batch=data_batch)
        batch_key = digest(self._model_key, data_batch)
        clean = self._cache.load('test/clean', batch_key)
        attack_keys = {name: digest(batch_key, key) for name, key in self._attack_keys.items()}
        records = {name: self._cache.load(f'test/attacks/{name}', key)
                   for name, key in attack_keys.items()}
        missing = [name for name, record in records.items() if record is None]
        reused = [name for name, record in records.items() if record is not None]
        # The report's attack seconds count reused batches at the seconds they took.
        for name in reused:
            self.attacks[name].seconds += records[name]['seconds']
            self.attacks[name].add_step_seconds(records[name].get('cascade'))
        clean_reused = clean is not None
        model = unwrap_model(self.runner.model)
        seconds = 0.0
        if clean is None or missing:
            model.eval_attacks = {name: self.attacks[name] for name in missing}
            before = {name: self.attacks[name].seconds for name in missing}
            with autocast(enabled=self.fp16):
                outputs = self.runner.model.test_step(data_batch)
            fresh_clean, fresh = split_predictions(outputs, missing)
            settings = dict(checkpoint=self.runner.cfg.get('load_from'),
                            samples=sample_ids(data_batch))
            if clean is None:
                clean = fresh_clean
                self._cache.save('test/clean', batch_key, clean, settings)
            for name in missing:
                records[name] = dict(fresh[name], seconds=self.attacks[name].seconds - before[name],
                                     cascade=self.attacks[name].cascade)
                seconds += records[name]['seconds']
                self._cache.save(f'test/attacks/{name}', attack_keys[name], records[name],
                                 dict(settings, attack=name, config=self.attack_cfgs[name]))
        else:
            outputs = model.data_preprocessor(data_batch, False)['data_samples']
        attach_predictions(outputs, clean, records)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook('after_test_iter', batch_idx=index, data_batch=data_batch,
                              outputs=outputs)
        return clean_reused, reused, seconds

    def _log_reuse(self, num_batches: int, reused_batches: int, reused_clean: int,
                   reused: Dict[str, int]) -> None:
        """Log what stage 1 reused from the cache, summed over processes."""
        counts = torch.tensor([num_batches, reused_batches, reused_clean, *reused.values()])
        all_reduce(counts)
        total, whole, clean, *attacks = counts.tolist()
        per_attack = ''.join(f', {name} {count}/{total}' for name, count in zip(reused, attacks))
        MMLogger.get_current_instance().info(
            f'[robust] stage 1: {whole}/{total} batches reused from {self._cache.root} '
            f'(predictions reused: clean {clean}/{total}{per_attack})')

    def _run_clean_stage(self, stage_index: int) -> dict:
        stage = self._stages[stage_index]
        if stage.name in self._reused_stages:
            result = self._reused_stages[stage.name]
            self.stage_seconds[stage.name] = result['seconds']
            self.stage_sizes[stage.name] = result['size']
            MMLogger.get_current_instance().info(
                f'[robust] stage {stage_index + 1}/{len(self._stages)} {stage.name}: reused from '
                f'{self._cache.root}')
            return result['metrics']
        dataloader = self.runner.build_dataloader(stage.dataloader, seed=self.runner.seed)
        evaluator = self.runner.build_evaluator(copy.deepcopy(self.clean_evaluator))
        evaluator.dataset_meta = getattr(dataloader.dataset, 'metainfo', None)
        start = time.perf_counter()
        for batch_index, data_batch in enumerate(dataloader):
            with torch.no_grad(), autocast(enabled=self.fp16):
                outputs = self.runner.model.test_step(data_batch)
            evaluator.process(data_samples=outputs, data_batch=data_batch)
            elapsed = time.perf_counter() - start
            self._log_progress(stage_index, batch_index + 1, len(dataloader), elapsed,
                               elapsed / (batch_index + 1))
        # Plain floats, as the cache keeps them: a reused stage gives the very same values.
        metrics = {f'{stage.name}/{key}': float(value)
                   for key, value in evaluator.evaluate(len(dataloader.dataset)).items()}
        self._finish_stage(stage.name, len(dataloader), len(dataloader.dataset), start)
        if is_main_process():
            self._cache.save(stage.name, stage.key, dict(
                metrics=metrics, size=self.stage_sizes[stage.name],
                seconds=self.stage_seconds[stage.name]), stage.settings)
        return metrics

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
        if stage != 'test':
            self._clean_seconds_per_batch = seconds / max(num_batches, 1)

    def _log_progress(self, stage_index: int, done: int, num_batches: int, elapsed: float,
                      seconds_per_batch: float, interval: Optional[int] = None,
                      note: str = '') -> None:
        """Log ``done`` of ``num_batches`` batches with ETAs, each ``interval`` batches (the
        loop's ``log_interval`` by default) and at the last; the stage's batches still to go
        take ``seconds_per_batch`` each."""
        if done % (interval or self.log_interval) and done != num_batches:
            return
        stage_eta = seconds_per_batch * (num_batches - done)
        remaining = stage_eta + self._later_stages_seconds(stage_index, seconds_per_batch)
        MMLogger.get_current_instance().info(
            f'[robust] stage {stage_index + 1}/{len(self._stages)} {self._stages[stage_index].name}'
            f': batch {done}/{num_batches}{note}, {elapsed:.0f} s, stage ETA {stage_eta:.0f} s, '
            f'total ETA {remaining:.0f} s')

    def _later_stages_seconds(self, stage_index: int, current_rate: float) -> float:
        """Estimated seconds of the stages after ``stage_index`` that the cache does not hold.

        Clean stages take as long per batch as those measured so far; before the first one
        ends, as the computed batches of the attacked stage minus their attack time (their
        clean forward). Shifted sets are assumed to be the size of the test set.
        """
        rate = self._clean_seconds_per_batch
        if rate is None:
            rate = self._clean_estimate if stage_index == 0 else current_rate
        later = [stage for stage in self._stages[stage_index + 1:]
                 if stage.name not in self._reused_stages]
        return rate * len(self.dataloader) * len(later)


def sample_ids(data_batch: dict) -> List:
    """The identity of each sample of a batch: its ``img_path`` (or ``sample_idx``)."""
    return [sample.metainfo.get('img_path', sample.metainfo.get('sample_idx'))
            for sample in data_batch['data_samples']]
