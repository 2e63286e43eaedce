"""How much of a synthetic PartImageNet's class global colour alone gives away.

A part model is meant to classify from parts; if a class could be read off an image's global
colour statistics, neither it nor the baseline would have to look at shape. This fits a softmax
regression on colour features of each image's central test crop (mean and standard deviation
of R, G, B and a 4 x 4 x 4 joint colour histogram) on the train split and prints its top-1 on
the val and test splits next to chance (1 / number of classes). The release is the raw output
of ``tools/dataset_converters/synthetic_partimagenet.py`` (its manifest maps synsets to
classes).

Example::

    python tools/analysis_tools/colour_probe.py data/synthetic_partimagenet
"""
import argparse
import glob
import os.path as osp
from typing import Dict, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from partmm.datasets.generators import synthetic_partimagenet as synthetic
from partmm.datasets.output_guard import read_manifest

HISTOGRAM_BINS = 4  # per channel: 4 x 4 x 4 joint colour bins


def colour_features(path: str) -> np.ndarray:
    """[6 + HISTOGRAM_BINS**3] colour features of the central crop of the image at ``path``:
    mean and std of R, G, B in [0, 1], then the normalised joint colour histogram."""
    image = np.asarray(Image.open(path).convert('RGB'), dtype=np.float32) / 255
    top, left, height, width = synthetic.central_crop(image.shape[:2])
    pixels = image[top:top + height, left:left + width].reshape(-1, 3)
    bins = np.minimum((pixels * HISTOGRAM_BINS).astype(int), HISTOGRAM_BINS - 1)
    index = (bins[:, 0] * HISTOGRAM_BINS + bins[:, 1]) * HISTOGRAM_BINS + bins[:, 2]
    histogram = np.bincount(index, minlength=HISTOGRAM_BINS**3) / len(index)
    return np.concatenate([pixels.mean(0), pixels.std(0), histogram])


def load_split(release: str, split: str, wnid_classes: Dict[str, int]) -> Tuple[np.ndarray,
                                                                                np.ndarray]:
    """(features [N, F], class indices [N]) of every image of ``split`` in ``release``."""
    paths = sorted(glob.glob(osp.join(release, 'images', split, '*.JPEG')))
    if not paths:
        raise FileNotFoundError(f'{release}/images/{split} holds no .JPEG images')
    labels = [wnid_classes[osp.basename(path).split('_')[0]] for path in paths]
    return np.stack([colour_features(path) for path in paths]), np.array(labels)


def fit_softmax_regression(features: np.ndarray, labels: np.ndarray, num_classes: int,
                           weight_decay: float = 1e-3) -> torch.nn.Linear:
    """Softmax regression on standardised ``features`` [N, F] (the standardisation is folded
    into the returned layer), trained to convergence with L-BFGS."""
    x = torch.as_tensor(features, dtype=torch.float64)
    mean, std = x.mean(0), x.std(0).clamp_min(1e-6)
    x = (x - mean) / std
    y = torch.as_tensor(labels)
    layer = torch.nn.Linear(x.shape[1], num_classes).double()
    optimizer = torch.optim.LBFGS(layer.parameters(), max_iter=500, line_search_fn='strong_wolfe')

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(layer(x), y) + weight_decay * layer.weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        layer.bias -= (layer.weight * (mean / std)).sum(1)
        layer.weight /= std
    return layer


def probe(release: str) -> Dict[str, float]:
    """Top-1 (%) of the colour-only classifier on each split of ``release``, and ``chance``."""
    manifest = read_manifest(release, synthetic.PRODUCER)
    if manifest is None:
        raise FileNotFoundError(f'{release} has no manifest of {synthetic.PRODUCER}; is it a '
                                'release of tools/dataset_converters/synthetic_partimagenet.py?')
    wnids = manifest['summary']['wnids']
    classes = sorted(wnids)
    wnid_classes = {wnid: classes.index(name) for name, names in wnids.items() for wnid in names}
    train_x, train_y = load_split(release, 'train', wnid_classes)
    layer = fit_softmax_regression(train_x, train_y, len(classes))
    results = {}
    for split, (x, y) in (('train', (train_x, train_y)),
                          *((s, load_split(release, s, wnid_classes)) for s in ('val', 'test'))):
        with torch.no_grad():
            predicted = layer(torch.as_tensor(x, dtype=torch.float64)).argmax(1).numpy()
        results[split] = 100.0 * float((predicted == y).mean())
    results['chance'] = 100.0 / len(classes)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('release', help='folder of a synthetic PartImageNet release')
    args = parser.parse_args()
    results = probe(args.release)
    print(f'colour-only softmax regression, top-1 (%): train {results["train"]:.1f}, val '
          f'{results["val"]:.1f}, test {results["test"]:.1f}; chance {results["chance"]:.1f}')


if __name__ == '__main__':
    main()
