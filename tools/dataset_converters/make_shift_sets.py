"""Write the shape-vs-texture and spurious-background evaluation sets of a converted dataset.

The sets use the layouts of the original code's releases (read by ``ShapeTextureDataset`` and
``SpuriousBackgroundDataset``); see ``partmm/datasets/generators/shift_sets.py``. A set of the
same settings and source split list is kept as it is; one of other settings, of another source
or of unknown origin is an error unless --overwrite.

Example:
    python tools/dataset_converters/make_shift_sets.py data/synthetic_partimagenet \
        data/synthetic_partimagenet_shift --ann-file splits/paper/test.json
"""
import argparse
import time

from partmm.datasets.converters import cli
from partmm.datasets.generators import generate_shape_texture_set, generate_spurious_background_set

SETS = ('shape_texture', 'spurious_background')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write StyleJPEGImages/<wnid>/*.png + part_maps/*.png (shape vs texture) '
        'and spurious/<split>/<wnid>/*.png (spurious backgrounds) from a partmm split list')
    parser.add_argument('source_root', nargs='?', default='data/synthetic_partimagenet',
                        help='converted dataset root (default: %(default)s)')
    parser.add_argument('out_dir', nargs='?', default='data/synthetic_partimagenet_shift',
                        help='output root (default: %(default)s)')
    parser.add_argument('--ann-file', default='splits/paper/test.json',
                        help='source split list, relative to source_root (default: '
                        '%(default)s)')
    parser.add_argument('--sets', nargs='+', choices=SETS, default=list(SETS),
                        help='sets to write (default: both)')
    cli.add_seed_arg(parser)
    parser.add_argument('--spurious-split', default=None,
                        help='sub-folder of spurious/ (default: the split list\'s file stem)')
    parser.add_argument('--spurious-classes', nargs='+', default=None, metavar='CLASS',
                        help='classes of the spurious set\'s foregrounds and backgrounds '
                        '(default: all; the original used Fish Bird Reptile Quadruped)')
    cli.add_overwrite_arg(parser, 'sets made with other settings, from another source or by '
                          'something else')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    start = time.time()
    with cli.exit_on_output_exists():
        if 'shape_texture' in args.sets:
            summary = generate_shape_texture_set(args.source_root, args.out_dir,
                                                 ann_file=args.ann_file, seed=args.seed,
                                                 overwrite=args.overwrite)
            print(f'shape_texture: {summary["num_images"]} images, '
                  f'{len(summary["skipped"])} skipped (no foreground)'
                  + (', already there' if summary['reused'] else ''))
        if 'spurious_background' in args.sets:
            summary = generate_spurious_background_set(
                args.source_root, args.out_dir, ann_file=args.ann_file,
                split=args.spurious_split, seed=args.seed, classes=args.spurious_classes,
                overwrite=args.overwrite)
            print(f'spurious_background/{summary["split"]}: {summary["num_images"]} images, '
                  f'{len(summary["skipped"])} skipped (no foreground)'
                  + (', already there' if summary['reused'] else ''))
    print(f'{args.out_dir} ready in {time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
