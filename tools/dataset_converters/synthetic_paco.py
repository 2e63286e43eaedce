"""Generate a synthetic PACO-LVIS release (PACO's JSON format, COCO image layout) for tests and
smoke runs.

The release owns its folder: a folder holding anything else is an error unless --overwrite,
which replaces all of it (an earlier conversion inside it included). The release of the same
arguments is kept as it is.

Example:
    python tools/dataset_converters/synthetic_paco.py data/synthetic_paco
    python tools/dataset_converters/paco.py data/synthetic_paco --crop-size 72
"""
import argparse
import sys
import time

from partmm.datasets.generators.synthetic_paco import generate_synthetic_paco
from partmm.datasets.output_guard import OutputExistsError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic PACO-LVIS release: coco/{train2017,val2017}/*.jpg and '
        'annotations/paco_lvis_v1_{train,val,test}.json')
    parser.add_argument('out_dir', nargs='?', default='data/synthetic_paco',
                        help='output folder (default: %(default)s)')
    parser.add_argument('--num-images', type=int, default=500,
                        help='total number of images, 80/10/10 over the JSONs (default: '
                        '%(default)s)')
    parser.add_argument('--image-size', type=int, nargs='+', default=[120, 160],
                        metavar='PIXELS', help='height and width, or one side for square '
                        'images (default: 120 160)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
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
        summary = generate_synthetic_paco(args.out_dir, num_images=args.num_images,
                                          image_size=size, seed=args.seed,
                                          overwrite=args.overwrite)
    except OutputExistsError as error:
        sys.exit(f'error: {error}')
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds the release of these arguments; kept it')
        return
    for split, info in summary['splits'].items():
        print(f'{split}: {info["num_images"]} images, {info["num_objects"]} objects '
              f'({info["tiny_objects"]} tiny, {info["objects_without_parts"]} without parts), '
              f'{info["part_annotations"]} part annotations -> {info["json"]}')
    print(f'wrote {summary["num_images"]} images to {summary["out_dir"]} in '
          f'{time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
