"""Generate a synthetic Cityscapes-Panoptic-Parts release (the real file layout) for tests and
smoke runs.

The release owns its folder: a folder holding anything else is an error unless --overwrite,
which replaces all of it (crops and splits of an earlier conversion included). The release of
the same arguments is kept as it is.

Example:
    python tools/dataset_converters/synthetic_cityscapes_parts.py data/synthetic_cityscapes_parts
    python tools/dataset_converters/cityscapes_parts.py data/synthetic_cityscapes_parts
"""
import argparse
import sys
import time

from partmm.datasets.generators.synthetic_cityscapes_parts import (
    generate_synthetic_cityscapes_parts,
)
from partmm.datasets.output_guard import OutputExistsError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic Cityscapes-Panoptic-Parts release: '
        'leftImg8bit/<split>/<city>/*_leftImg8bit.png and '
        'gtFinePanopticParts/<split>/<city>/*_gtFinePanopticParts.tif')
    parser.add_argument('out_dir', nargs='?', default='data/synthetic_cityscapes_parts',
                        help='output folder (default: %(default)s)')
    parser.add_argument('--num-images', type=int, default=480,
                        help='total number of street scenes (default: %(default)s)')
    parser.add_argument('--image-size', type=int, nargs='+', default=[128, 256],
                        metavar='PIXELS',
                        help='height and width, or one height for a 1:2 canvas '
                        '(default: 128 256)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace out_dir if it holds anything but the release of these '
                        'arguments')
    args = parser.parse_args()
    if len(args.image_size) not in (1, 2):
        parser.error('--image-size takes one value (height) or two (height width)')
    return args


def main() -> None:
    args = parse_args()
    size = args.image_size[0] if len(args.image_size) == 1 else tuple(args.image_size)
    start = time.time()
    try:
        summary = generate_synthetic_cityscapes_parts(
            args.out_dir, num_images=args.num_images, image_size=size, seed=args.seed,
            overwrite=args.overwrite)
    except OutputExistsError as error:
        sys.exit(f'error: {error}')
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds the release of these arguments; kept it')
        return
    for split, info in summary['splits'].items():
        instances = ', '.join(f'{n} {name}' for name, n in info['instances'].items())
        print(f'{split}: {info["num_images"]} images in {", ".join(info["cities"])}; '
              f'instances: {instances}')
    print(f'wrote {summary["num_images"]} images to {summary["out_dir"]} in '
          f'{time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
