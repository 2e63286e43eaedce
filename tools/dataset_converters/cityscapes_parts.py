"""Convert Cityscapes-Panoptic-Parts (real or synthetic) into object crops, part maps and splits.

Writes ``<out_dir>/images/{train,val}/<stem>.png`` (one square crop per human or vehicle
instance, the folder naming the release split of its image), ``<out_dir>/part_maps/<stem>.png``
and ``<out_dir>/splits/paper/{train,val,test}.json`` (MMEngine BaseDataset format), as read by
``partmm.datasets.CityscapesPartsDataset``. The defaults are the papers' preparation
(``square_rand_pad0.2``: --pad 0.2 --min-area 1000, random offsets, seed 0, 80/10/10).
Crops, part maps and splits of other settings (e.g. another --seed: it would move test crops
into training) or of other label files are an error unless --overwrite; those of the same
settings and labels are kept as they are.

Example:
    python tools/dataset_converters/cityscapes_parts.py data/cityscapes --nproc 8
"""
import argparse
import logging
import sys
import time

from partmm.datasets.converters.cityscapes_parts import convert_cityscapes_parts
from partmm.datasets.output_guard import OutputExistsError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert Cityscapes-Panoptic-Parts (leftImg8bit/ + gtFinePanopticParts/) '
        'into human/vehicle crops, part maps and paper split lists')
    parser.add_argument('root', help='release folder holding leftImg8bit/ and '
                        'gtFinePanopticParts/')
    parser.add_argument('--out-dir', default=None, help='output folder (default: root)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the split and of the crop offsets (default: %(default)s)')
    parser.add_argument('--pad', type=float, default=0.2,
                        help='margin around an object, a fraction of its longer side '
                        '(default: %(default)s)')
    parser.add_argument('--min-area', type=int, default=1000,
                        help='fewest pixels of an instance to crop it (default: %(default)s)')
    parser.add_argument('--rand-pad', action=argparse.BooleanOptionalAction, default=True,
                        help='place each object at a random offset in its crop, else centre '
                        'it (default: random)')
    parser.add_argument('--val-ratio', type=float, default=0.1,
                        help='fraction of the crops for val (default: %(default)s)')
    parser.add_argument('--test-ratio', type=float, default=0.1,
                        help='fraction of the crops for test (default: %(default)s)')
    parser.add_argument('--allow-missing', action='store_true',
                        help='skip and report label files whose image is missing instead of '
                        'failing')
    parser.add_argument('--nproc', type=int, default=1,
                        help='processes cropping images (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace crops, part maps and splits made with other settings, '
                        'from other labels or by something else')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
    start = time.time()
    try:
        summary = convert_cityscapes_parts(
            args.root, out_dir=args.out_dir, seed=args.seed, pad=args.pad,
            min_area=args.min_area, rand_pad=args.rand_pad, val_ratio=args.val_ratio,
            test_ratio=args.test_ratio, allow_missing=args.allow_missing, nproc=args.nproc,
            overwrite=args.overwrite)
    except OutputExistsError as error:
        sys.exit(f'error: {error}')
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds the crops and splits of these labels and '
              'settings; kept them')
        return
    for split, count in summary['splits']['paper'].items():
        per_class = ', '.join(f'{n} {name}' for name, n in summary['classes'][split].items())
        print(f'paper/{split}: {count} crops ({per_class}) -> '
              f'{summary["split_files"]["paper"][split]}')
    skipped = summary['skipped']
    small = ', '.join(f'{n} {name}' for name, n in skipped['small_instances'].items())
    occluded = ', '.join(f'{n} {name}' for name, n in skipped['occluded_instances'].items())
    elapsed = time.time() - start
    print(f'cropped {summary["num_crops"]} instances of {summary["num_images"]} images into '
          f'{summary["out_dir"]} in {elapsed:.1f} s '
          f'({summary["num_images"] / max(elapsed, 1e-9):.1f} images/s); skipped '
          f'{len(skipped["missing_images"])} images missing on disk, instances below '
          f'--min-area: {small}; occluded by the other class: {occluded}')


if __name__ == '__main__':
    main()
