"""A stable name for the best checkpoint, for configs that start from it."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from partmm.registry import HOOKS


@HOOKS.register_module()
class BestCheckpointLinkHook(Hook):
    """Keep ``<work_dir>/<link_name>`` pointing at the best checkpoint ``CheckpointHook`` saved.

    mmengine names the best checkpoint after its epoch (``best_accuracy_top1_epoch_8.pth``),
    so a follow-up config (adversarial fine-tuning from the best clean model) could not name
    it in ``load_from``; with this hook it loads ``work_dirs/<clean config>/best.pth``. Runs
    after ``CheckpointHook`` (lower priority) and only on the main process; needs
    ``CheckpointHook(save_best=<one key>)``.

    Args:
        link_name (str): Name of the link in the work dir. Defaults to 'best.pth'.
    """

    priority = 'VERY_LOW'

    def __init__(self, link_name: str = 'best.pth') -> None:
        self.link_name = link_name

    def after_val_epoch(self, runner, metrics=None) -> None:
        best = runner.message_hub.get_info('best_ckpt')
        if not best or not is_main_process() or not osp.isfile(best):
            return
        link = osp.join(runner.work_dir, self.link_name)
        target = osp.relpath(best, runner.work_dir)
        if osp.islink(link) and os.readlink(link) == target:
            return
        temporary = f'{link}.tmp'
        if osp.lexists(temporary):
            os.remove(temporary)
        os.symlink(target, temporary)
        os.replace(temporary, link)  # atomic: a reader never sees a missing link
