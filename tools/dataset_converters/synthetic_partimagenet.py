"""Generate a synthetic PartImageNet release (official file layout) for tests and smoke runs.

The release owns its folder: a folder holding anything else is an error unless --overwrite,
which replaces all of it (part maps and splits of an earlier conversion included). The release
of the same arguments is kept as it is.

Example:
    python tools/dataset_converters/synthetic_partimagenet.py data/synthetic_partimagenet
    python tools/dataset_converters/partimagenet.py data/synthetic_partimagenet
"""
import argparse
import sys
import time

from partmm.datasets.generators import generate_synthetic_partimagenet
from partmm.datasets.output_guard import OutputExistsError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic PartImageNet release: images/<split>/<wnid>_<n>.JPEG '
        'and annotations/<split>/<split>.json')
    parser.add_argument('out_dir', nargs='?', default='data/synthetic_partimagenet',
                        help='output folder (default: %(default)s)')
    parser.add_argument('--num-images', type=int, default=3300,
                        help='total number of images (default: %(default)s)')
    parser.add_argument('--image-size', type=int, nargs='+', default=[72], metavar='PIXELS',
                        help='image side, or height and width (default: 72)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument('--wnids-per-class', type=int, default=3,
                        help='synthetic synsets per class, >= 3 (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace out_dir if it holds anything but the release of these '
                        'arguments')
    args = parser.parse_args()
    if len(args.image_size) not in (1, 2):
        parser.error('--image-size takes one value (square) or two (height width)')
    return args


def main() -> None:
    args = parse_args()
    size = args.image_size[0] if len(args.image_size) == 1 else tuple(args.image_size)
    start = time.time()
    try:
        summary = generate_synthetic_partimagenet(
            args.out_dir, num_images=args.num_images, image_size=size, seed=args.seed,
            wnids_per_class=args.wnids_per_class, overwrite=args.overwrite)
    except OutputExistsError as error:
        sys.exit(f'error: {error}')
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds the release of these arguments; kept it')
        return
    for split, info in summary['splits'].items():
        print(f'{split}: {info["num_images"]} images, {info["num_annotations"]} part '
              f'annotations, {len(info["wnids"])} wnids -> {info["json"]}')
    print(f'wrote {summary["num_images"]} images to {summary["out_dir"]} in '
          f'{time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
