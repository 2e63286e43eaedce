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

from partmm.datasets.converters import cli
from partmm.datasets.generators.synthetic_cityscapes_parts import (
    generate_synthetic_cityscapes_parts,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic Cityscapes-Panoptic-Parts release: '
        'leftImg8bit/<split>/<city>/*_leftImg8bit.png and '
        'gtFinePanopticParts/<split>/<city>/*_gtFinePanopticParts.tif')
    cli.add_release_args(parser, 'data/synthetic_cityscapes_parts', 480,
                         'total number of street scenes')
    cli.add_image_size_arg(parser, [128, 256], 'height and width, or one height for a 1:2 canvas',
                           one='height', two='height width')
    cli.add_seed_arg(parser)
    cli.add_overwrite_arg(parser)
    return parser.parse_args()


def print_summary(summary: dict) -> None:
    """Print the images, cities and instances of each split."""
    for split, info in summary['splits'].items():
        instances = ', '.join(f'{n} {name}' for name, n in info['instances'].items())
        print(f'{split}: {info["num_images"]} images in {", ".join(info["cities"])}; '
              f'instances: {instances}')


def main() -> None:
    args = parse_args()
    cli.run_generator(generate_synthetic_cityscapes_parts, vars(args), report=print_summary)


if __name__ == '__main__':
    main()
