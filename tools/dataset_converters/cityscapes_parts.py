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

from partmm.datasets.converters import cli
from partmm.datasets.converters.cityscapes_parts import convert_cityscapes_parts


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert Cityscapes-Panoptic-Parts (leftImg8bit/ + gtFinePanopticParts/) '
        'into human/vehicle crops, part maps and paper split lists')
    parser.add_argument('root', help='release folder holding leftImg8bit/ and '
                        'gtFinePanopticParts/')
    cli.add_out_dir_arg(parser)
    cli.add_seed_arg(parser, 'seed of the split and of the crop offsets')
    parser.add_argument('--pad', type=float, default=0.2,
                        help='margin around an object, a fraction of its longer side '
                        '(default: %(default)s)')
    parser.add_argument('--min-area', type=int, default=1000,
                        help='fewest pixels of an instance to crop it (default: %(default)s)')
    parser.add_argument('--rand-pad', action=argparse.BooleanOptionalAction, default=True,
                        help='place each object at a random offset in its crop, else centre '
                        'it (default: random)')
    cli.add_split_ratio_args(parser, 'fraction of the crops for val',
                             'fraction of the crops for test')
    cli.add_allow_missing_arg(parser, 'label files whose image is missing')
    cli.add_nproc_arg(parser, 'processes cropping images')
    cli.add_overwrite_arg(parser, 'crops, part maps and splits made with other settings, from '
                          'other labels or by something else')
    return parser.parse_args()


def print_summary(summary: dict, seconds: float) -> None:
    """Print the crops of each split, the speed and what was skipped."""
    for split, count in summary['splits']['paper'].items():
        per_class = ', '.join(f'{n} {name}' for name, n in summary['classes'][split].items())
        print(f'paper/{split}: {count} crops ({per_class}) -> '
              f'{summary["split_files"]["paper"][split]}')
    skipped = summary['skipped']
    small = ', '.join(f'{n} {name}' for name, n in skipped['small_instances'].items())
    occluded = ', '.join(f'{n} {name}' for name, n in skipped['occluded_instances'].items())
    print(f'cropped {summary["num_crops"]} instances of {summary["num_images"]} images into '
          f'{summary["out_dir"]} in {seconds:.1f} s '
          f'({summary["num_images"] / max(seconds, 1e-9):.1f} images/s); skipped '
          f'{len(skipped["missing_images"])} images missing on disk, instances below '
          f'--min-area: {small}; occluded by the other class: {occluded}')


def main() -> None:
    args = parse_args()
    cli.run_converter(convert_cityscapes_parts, vars(args), log=True, report=print_summary,
                      kept='the crops and splits of these labels and settings; kept them')


if __name__ == '__main__':
    main()
