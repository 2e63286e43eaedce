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

from partmm.datasets.converters import cli
from partmm.datasets.generators.synthetic_pascal_part import generate_synthetic_pascal_part


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic PASCAL-Part release: JPEGImages/<id>.jpg and '
        'Annotations_Part/<id>.mat')
    cli.add_release_args(parser, 'data/synthetic_pascal_part', 1500,
                         'number of images; 5 in 6 are kept by the converter')
    cli.add_image_size_arg(parser, [64, 96],
                           'image side, or the min and max of the random height and width',
                           one='fixed side', two='min max')
    cli.add_seed_arg(parser)
    cli.add_overwrite_arg(parser)
    return parser.parse_args()


def print_summary(summary: dict) -> None:
    """Print the classes of the largest objects and how many images have a second one."""
    print('largest object per image: ' + ', '.join(
        f'{name} {count}' for name, count in summary['main_classes'].items()))
    print(f'{summary["second_objects"]} images have a second object '
          f'({summary["second_first"]} of them list it first)')


def main() -> None:
    args = parse_args()
    cli.run_generator(generate_synthetic_pascal_part, vars(args), report=print_summary)


if __name__ == '__main__':
    main()
