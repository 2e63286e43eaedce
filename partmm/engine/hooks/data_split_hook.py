"""Record in each checkpoint which images trained it, and refuse to test it on them."""
from typing import Dict, List, Optional

from mmengine.hooks import Hook
from mmengine.logging import MMLogger

from partmm.datasets.split_identity import sample_ids, shared_samples, split_record
from partmm.registry import HOOKS
from partmm.utils import format_examples


@HOOKS.register_module()
class DataSplitHook(Hook):
    """Keep the identity of the training data with the weights, and check test sets against it.

    Saving: every checkpoint gets ``meta['data_splits']`` with the ``train`` and ``val`` splits
    of the run (:func:`~partmm.datasets.split_identity.split_record`: split file, size,
    fingerprint and per-image hashes) and ``earlier_train``, the training splits of the
    checkpoints this run started from (``load_from``), so that a fine-tuned model remembers the
    data of its clean stage too.

    Testing (``runner.test()`` with a loaded checkpoint): a test image that any recorded
    training split holds is an error naming how many and which (a split regenerated with
    another seed, a config that tests on training data), unless ``allow_train_overlap``. A
    checkpoint without a record (trained elsewhere, or before records existed) gets a warning:
    the check cannot be made.

    Args:
        allow_train_overlap (bool): Only warn when the test set shares images with the
            training data. Defaults to False.
    """

    priority = 'NORMAL'

    def __init__(self, allow_train_overlap: bool = False) -> None:
        self.allow_train_overlap = allow_train_overlap
        self._loaded: Optional[Dict] = None
        self._records: Optional[Dict] = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = (checkpoint.get('meta') or {}).get('data_splits')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._records is None:  # the splits of a run do not change: computed once
            self._records = self._run_records(runner)
        checkpoint.setdefault('meta', {})['data_splits'] = self._records

    def _run_records(self, runner) -> Dict:
        train = split_record(runner.train_dataloader.dataset)
        records = dict(train=train)
        if runner.val_loop is not None:
            records['val'] = split_record(runner.val_dataloader.dataset)
        earlier: Dict[str, Dict] = {}
        if self._loaded:  # the checkpoint this run resumed or started from
            for record in self._loaded.get('earlier_train', []) + [self._loaded['train']]:
                earlier[record['fingerprint']] = record
        earlier.pop(train['fingerprint'], None)
        records['earlier_train'] = list(earlier.values())
        return records

    def before_test(self, runner) -> None:
        logger = MMLogger.get_current_instance()
        if self._loaded is None:
            if runner.cfg.get('load_from'):
                logger.warning(
                    f'checkpoint {runner.cfg.load_from} records no training split (trained '
                    'outside partmm, or before partmm recorded splits): cannot check that the '
                    'test images were not used for training')
            return
        dataset = runner.test_dataloader.dataset
        ids = sample_ids(dataset)
        for record in [self._loaded['train']] + list(self._loaded.get('earlier_train', [])):
            shared = shared_samples(ids, record['sample_hashes'])
            if shared:
                self._report_overlap(runner, dataset, ids, shared, record)

    def _report_overlap(self, runner, dataset, ids: List[str], shared: List[str],
                        record: Dict) -> None:
        message = (
            f'{len(shared)} of the {len(ids)} test images '
            f'({getattr(dataset, "ann_file", type(dataset).__name__)}) trained checkpoint '
            f'{runner.cfg.get("load_from")}: they are in its training split {record["ann_file"]} '
            f'({record["num_samples"]} images, fingerprint {record["fingerprint"]}), e.g. '
            f'{format_examples(shared)}. The split was probably made again '
            '(another --seed) after training, or the config tests on training data; its '
            'accuracy would be inflated')
        if not self.allow_train_overlap:
            raise ValueError(message + '. Pass --allow-train-overlap to evaluate anyway')
        MMLogger.get_current_instance().warning(message)
