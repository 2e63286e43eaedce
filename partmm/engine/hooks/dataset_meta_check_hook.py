"""Fail early, with config keys in the message, when a model's sizes disagree with its data."""
from typing import Optional

from mmengine.hooks import Hook

from partmm.registry import HOOKS
from partmm.structures import DEFAULT_IGNORE_INDEX
from partmm.utils import unwrap_model


@HOOKS.register_module()
class DatasetMetaCheckHook(Hook):
    """Check the model's sizes and unlabelled value against each dataloader's metainfo.

    ``model.num_classes`` / ``num_part_labels`` against the dataset's ``classes`` /
    ``part_names``, a part head's ``part_to_class`` (heads that group parts by class) against
    the dataset's, and a part model's ``ignore_index`` (its decode head's, also the value its
    data preprocessor pads part maps with) against the dataset's ``ignore_index`` (255 unless
    its metainfo says otherwise). Without it, a config with 10 classes on an 11-class dataset
    fails deep inside the loss (or silently never predicts a class), and a head that ignores
    255 on maps whose unlabelled value is 65535 trains on unlabelled pixels as if they were
    part 65535, or fails inside the loss. Runs before train, val and test; raises
    ``ValueError`` naming the config keys and the dataset's values.
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
        DatasetMetaCheckHook._check_ignore_index(model, dataloader_key, dataloader, meta)
        DatasetMetaCheckHook._check_part_to_class(model, dataloader_key, dataloader, meta)

    @staticmethod
    def _check_part_to_class(model, dataloader_key: str, dataloader: object, meta: dict) -> None:
        head_table = getattr(getattr(model, 'part_head', None), 'part_to_class', None)
        if head_table is None or 'part_to_class' not in meta:
            return
        if list(head_table) != list(meta['part_to_class']):
            raise ValueError(
                f'model.part_head.part_to_class = {list(head_table)} disagrees with the '
                f'part_to_class of {dataloader_key}.dataset ({type(dataloader.dataset).__name__}) '
                f'= {list(meta["part_to_class"])}')

    @staticmethod
    def _check_ignore_index(model, dataloader_key: str, dataloader: object, meta: dict) -> None:
        model_value = getattr(model, 'ignore_index', None)
        if model_value is None or 'part_names' not in meta:
            return
        data_value = meta.get('ignore_index', DEFAULT_IGNORE_INDEX)
        key = getattr(model, 'IGNORE_INDEX_KEY', 'model.segmentor.decode_head.ignore_index')
        if model_value != data_value:
            raise ValueError(
                f'{key} = {model_value}, but the part maps of {dataloader_key}.dataset '
                f'({type(dataloader.dataset).__name__}) mark unlabelled pixels with '
                f'{data_value} (its metainfo "ignore_index"): set {key} = {data_value}')
        pad_value = getattr(model.data_preprocessor, 'seg_pad_val', model_value)
        if pad_value != model_value:
            raise ValueError(
                f'model.data_preprocessor.seg_pad_val = {pad_value} pads part maps with a '
                f'value other than the unlabelled one ({model_value}); set it to {model_value} '
                'or leave model.data_preprocessor out to get the default')

    def before_train(self, runner) -> None:
        self._check(runner, 'train_dataloader', runner.train_dataloader)

    def before_val(self, runner) -> None:
        self._check(runner, 'val_dataloader', runner.val_dataloader)

    def before_test(self, runner) -> None:
        self._check(runner, 'test_dataloader', runner.test_dataloader)
