"""Print a config as partmm resolves it: bases merged, placeholders filled, ``--cfg-options``
applied (MMSegmentation's tools/misc/print_config.py, for partmm).

Example::

    python tools/misc/print_config.py configs/part_wbbox_partimagenet.py \\
        --cfg-options train_cfg.max_epochs=20 --save-path work_dirs/resolved.py
"""
import argparse

from mmengine.config import DictAction

from partmm.utils import load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Print the resolved config')
    parser.add_argument('config', help='config file (.py, .yaml or .json)')
    parser.add_argument('--save-path', help='also write the resolved config to this file '
                        '(.py, .yaml or .json)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. train_cfg.max_epochs=20')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    print(f'Config:\n{cfg.pretty_text}')
    if args.save_path:
        cfg.dump(args.save_path)
        print(f'Config saved to {args.save_path}')


if __name__ == '__main__':
    main()
