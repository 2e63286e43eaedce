"""Generate a synthetic PASCAL-Part release (VOC2010 + PASCAL-Part file layout and .mat format)
for tests and smoke runs.

The release owns its folder: a folder holding anything else is an error unless --overwrite,
which replaces all of it (part maps and splits of an earlier conversion included). The release
of the same arguments is kept as it is.

Example:
    python tools/dataset_converters/synthetic_pascal_part.py data/synthetic_pascal_part
    python tools/dataset_converters/pascal_part.py data/synthetic_pascal_part
"""
import argparse
import sys
import time

from partmm.datasets.generators.synthetic_pascal_part import generate_synthetic_pascal_part
from partmm.datasets.output_guard import OutputExistsError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic PASCAL-Part release: JPEGImages/<id>.jpg and '
        'Annotations_Part/<id>.mat')
    parser.add_argument('out_dir', nargs='?', default='data/synthetic_pascal_part',
                        help='output folder (default: %(default)s)')
    parser.add_argument('--num-images', type=int, default=1500,
                        help='number of images; 5 in 6 are kept by the converter '
                        '(default: %(default)s)')
    parser.add_argument('--image-size', type=int, nargs='+', default=[64, 96], metavar='PIXELS',
                        help='image side, or the min and max of the random height and width '
                        '(default: 64 96)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace out_dir if it holds anything but the release of these '
                        'arguments')
    args = parser.parse_args()
    if len(args.image_size) not in (1, 2):
        parser.error('--image-size takes one value (fixed side) or two (min max)')
    return args


def main() -> None:
    args = parse_args()
    size = args.image_size[0] if len(args.image_size) == 1 else tuple(args.image_size)
    start = time.time()
    try:
        summary = generate_synthetic_pascal_part(
            args.out_dir, num_images=args.num_images, image_size=size, seed=args.seed,
            overwrite=args.overwrite)
    except OutputExistsError as error:
        sys.exit(f'error: {error}')
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds the release of these arguments; kept it')
        return
    print('largest object per image: ' + ', '.join(
        f'{name} {count}' for name, count in summary['main_classes'].items()))
    print(f'{summary["second_objects"]} images have a second object '
          f'({summary["second_first"]} of them list it first)')
    print(f'wrote {summary["num_images"]} images to {summary["out_dir"]} in '
          f'{time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
