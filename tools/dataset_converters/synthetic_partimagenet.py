"""Generate a synthetic PartImageNet release (official file layout) for tests and smoke runs.

The release owns its folder: a folder holding anything else is an error unless --overwrite,
which replaces all of it (part maps and splits of an earlier conversion included). The release
of the same arguments is kept as it is.

Example:
    python tools/dataset_converters/synthetic_partimagenet.py data/synthetic_partimagenet
    python tools/dataset_converters/partimagenet.py data/synthetic_partimagenet
"""
import argparse

from partmm.datasets.converters import cli
from partmm.datasets.generators import generate_synthetic_partimagenet


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic PartImageNet release: images/<split>/<wnid>_<n>.JPEG '
        'and annotations/<split>/<split>.json')
    cli.add_release_args(parser, 'data/synthetic_partimagenet', 3300, 'total number of images')
    cli.add_image_size_arg(parser, [72], 'image side, or height and width', one='square',
                           two='height width')
    cli.add_seed_arg(parser)
    parser.add_argument('--wnids-per-class', type=int, default=3,
                        help='synthetic synsets per class, >= 3 (default: %(default)s)')
    cli.add_overwrite_arg(parser)
    return parser.parse_args()


def print_summary(summary: dict) -> None:
    """Print the images, part annotations and wnids of each split's JSON."""
    for split, info in summary['splits'].items():
        print(f'{split}: {info["num_images"]} images, {info["num_annotations"]} part '
              f'annotations, {len(info["wnids"])} wnids -> {info["json"]}')


def main() -> None:
    args = parse_args()
    cli.run_generator(generate_synthetic_partimagenet, vars(args), report=print_summary)


if __name__ == '__main__':
    main()
