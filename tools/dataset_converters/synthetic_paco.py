"""Generate a synthetic PACO-LVIS release (PACO's JSON format, COCO image layout) for tests and
smoke runs.

The release owns its folder: a folder holding anything else is an error unless --overwrite,
which replaces all of it (an earlier conversion inside it included). The release of the same
arguments is kept as it is.

Example:
    python tools/dataset_converters/synthetic_paco.py data/synthetic_paco
    python tools/dataset_converters/paco.py data/synthetic_paco --crop-size 72
    python tools/dataset_converters/synthetic_paco.py data/synthetic_paco_full \
        --full-label-space
"""
import argparse

from partmm.datasets.converters import cli
from partmm.datasets.generators.synthetic_paco import generate_synthetic_paco


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic PACO-LVIS release: coco/{train2017,val2017}/*.jpg and '
        'annotations/paco_lvis_v1_{train,val,test}.json')
    cli.add_release_args(parser, 'data/synthetic_paco', 500,
                         'total number of images, 80/10/10 over the JSONs')
    cli.add_image_size_arg(parser, [120, 160], 'height and width, or one side for square images',
                           one='square', two='height width')
    cli.add_seed_arg(parser)
    parser.add_argument('--full-label-space', action='store_true',
                        help="pad the categories with never-drawn placeholders to PACO-LVIS's "
                        '75 objects and 456 object-parts (uint16 part maps once converted), '
                        'for the paco-224 configs')
    cli.add_overwrite_arg(parser)
    return parser.parse_args()


def print_summary(summary: dict) -> None:
    """Print the images, objects and part annotations of each split's JSON."""
    for split, info in summary['splits'].items():
        print(f'{split}: {info["num_images"]} images, {info["num_objects"]} objects '
              f'({info["tiny_objects"]} tiny, {info["objects_without_parts"]} without parts), '
              f'{info["part_annotations"]} part annotations -> {info["json"]}')


def main() -> None:
    args = parse_args()
    cli.run_generator(generate_synthetic_paco, vars(args), report=print_summary)


if __name__ == '__main__':
    main()
