"""Fail early, with config keys in the message, when a model's sizes disagree with its data."""
from typing import Optional

from mmengine.hooks import Hook

from partmm.registry import HOOKS
from partmm.utils import unwrap_model


@HOOKS.register_module()
class DatasetMetaCheckHook(Hook):
    """Check ``model.num_classes`` / ``num_part_labels`` against each dataloader's metainfo.

    Without it, a config with 10 classes on an 11-class dataset fails deep inside the loss (or
    silently never predicts a class). Runs before train, val and test; raises ``ValueError``
    naming the config keys and the dataset's ``classes`` / ``part_names``.
    """

    priority = 'VERY_HIGH'

    @staticmethod
    def _check(runner, dataloader_key: str, dataloader: Optional[object]) -> None:
        if dataloader is None:
            return
        model = unwrap_model(runner.model)
        meta = getattr(dataloader.dataset, 'metainfo', {})
        expected = {
            'num_classes': ('classes', getattr(model, 'num_classes', None)),
            'num_part_labels': ('part_names', getattr(model, 'num_part_labels', None)),
        }
        for model_key, (meta_key, model_value) in expected.items():
            if model_value is None or meta_key not in meta:
                continue
            if model_value != len(meta[meta_key]):
                raise ValueError(
                    f'model.{model_key} = {model_value}, but {dataloader_key}.dataset '
                    f'({type(dataloader.dataset).__name__}) has {len(meta[meta_key])} '
                    f'{meta_key}: {list(meta[meta_key])}')

    def before_train(self, runner) -> None:
        self._check(runner, 'train_dataloader', runner.train_dataloader)

    def before_val(self, runner) -> None:
        self._check(runner, 'val_dataloader', runner.val_dataloader)

    def before_test(self, runner) -> None:
        self._check(runner, 'test_dataloader', runner.test_dataloader)
