"""Draw what a model is fed: images after a dataloader's pipeline, with their part maps, part
boxes and class (MMSegmentation's tools/misc/browse_dataset.py, for partmm).

Example::

    python tools/misc/browse_dataset.py configs/part_wbbox_partimagenet.py --output-dir \\
        work_dirs/browse --num 20 [--split val] [--cfg-options ...]
"""
import argparse
import os
import os.path as osp

import mmcv
import numpy as np
from mmengine.config import DictAction

from partmm.registry import DATASETS, VISUALIZERS
from partmm.utils import load_config, register_all_modules


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Draw samples after the data pipeline')
    parser.add_argument('config', help='config file (.py, .yaml or .json)')
    parser.add_argument('--output-dir', required=True, help='folder for the drawn samples')
    parser.add_argument('--split', default='train', choices=['train', 'val', 'test'],
                        help='whose dataloader: its dataset and pipeline (default: train)')
    parser.add_argument('--num', type=int, default=10, help='samples to draw (default: 10)')
    parser.add_argument('--alpha', type=float, default=0.5, help='part map opacity')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. train_dataloader.dataset.data_root=data/x')
    return parser.parse_args()


def draw_sample(visualizer, item: dict, classes) -> np.ndarray:
    """The packed sample ``item`` (``inputs`` uint8 [3, H, W] BGR, ``data_samples``) drawn as
    an RGB [H, W, 3] array: part map overlay with part names, part boxes in their part's
    colour, the class name at the top left."""
    sample = item['data_samples']
    image = item['inputs'].permute(1, 2, 0).numpy()[..., ::-1].copy()  # BGR -> RGB
    visualizer.add_datasample('sample', image, sample, draw_gt=True, draw_pred=False)
    visualizer.set_image(visualizer.get_image())
    boxes = sample.get('gt_instances')
    if boxes is not None and len(boxes) > 0:
        palette = visualizer.dataset_meta['palette']
        visualizer.draw_bboxes(boxes.bboxes, edge_colors=[palette[int(label)]
                                                          for label in boxes.labels],
                               line_widths=1)
    visualizer.draw_texts(classes[int(sample.gt_label)], positions=np.array([2, 2]), font_sizes=8,
                          colors='white', bboxes=dict(facecolor='black', alpha=0.6, pad=0.5))
    return visualizer.get_image()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    register_all_modules(init_default_scope=True)
    dataset = DATASETS.build(cfg[f'{args.split}_dataloader'].dataset)
    # No vis backends: the drawn images go to --output-dir only.
    visualizer = VISUALIZERS.build(dict(type='PartVisualizer', name='browse_dataset',
                                        alpha=args.alpha))
    visualizer.dataset_meta = dataset.metainfo
    classes = dataset.metainfo['classes']
    os.makedirs(args.output_dir, exist_ok=True)
    count = min(args.num, len(dataset))
    for index in range(count):
        item = dataset[index]
        stem = osp.splitext(osp.basename(item['data_samples'].img_path))[0]
        mmcv.imwrite(draw_sample(visualizer, item, classes)[..., ::-1],
                     osp.join(args.output_dir, f'{index:05d}_{stem}.png'))
    print(f'{count} {args.split} samples drawn to {args.output_dir}')


if __name__ == '__main__':
    main()
