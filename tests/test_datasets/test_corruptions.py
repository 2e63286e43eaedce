"""Common corruptions: every corruption at every severity works, reproducibly."""
import numpy as np
import pytest

from partmm.datasets import COMMON_CORRUPTIONS
from partmm.registry import TRANSFORMS


@pytest.fixture(scope='module')
def image():
    """A 64 x 48 BGR uint8 image with structure (blurs and pixelation must change it)."""
    rng = np.random.RandomState(0)
    picture = np.full((48, 64, 3), 90, dtype=np.uint8)
    picture[10:30, 12:40] = (30, 200, 240)
    picture[30:44, 40:60] = (220, 40, 60)
    return (picture + rng.randint(0, 20, picture.shape)).astype(np.uint8)


def corrupt(image, corruption, severity, seed=0, img_path='a/n9_1.JPEG'):
    transform = TRANSFORMS.build(dict(type='ImageCorruption', corruption=corruption,
                                      severity=severity, seed=seed))
    return transform(dict(img=image.copy(), img_path=img_path))['img']


def test_the_fifteen_benchmark_corruptions():
    assert len(COMMON_CORRUPTIONS) == 15
    assert COMMON_CORRUPTIONS[0] == 'gaussian_noise'
    assert COMMON_CORRUPTIONS[-1] == 'jpeg_compression'


@pytest.mark.parametrize('corruption', COMMON_CORRUPTIONS)
def test_every_corruption_at_every_severity_is_reproducible(image, corruption):
    for severity in range(1, 6):
        corrupted = corrupt(image, corruption, severity)
        assert corrupted.shape == image.shape and corrupted.dtype == np.uint8
        assert not np.array_equal(corrupted, image), (corruption, severity)
        np.testing.assert_array_equal(corrupted, corrupt(image, corruption, severity))


def test_seed_and_image_path_select_the_noise(image):
    base = corrupt(image, 'gaussian_noise', 3)
    assert not np.array_equal(base, corrupt(image, 'gaussian_noise', 3, seed=1))
    assert not np.array_equal(base, corrupt(image, 'gaussian_noise', 3, img_path='b.JPEG'))


def test_global_numpy_state_is_restored(image):
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    corrupt(image, 'snow', 2)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_bad_arguments_and_small_images_are_named(image):
    with pytest.raises(ValueError, match='unknown corruption "rain"'):
        TRANSFORMS.build(dict(type='ImageCorruption', corruption='rain', severity=1))
    with pytest.raises(ValueError, match='severity'):
        TRANSFORMS.build(dict(type='ImageCorruption', corruption='fog', severity=6))
    with pytest.raises(ValueError, match='small.JPEG.*32 x 32'):
        corrupt(image[:20, :20], 'fog', 1, img_path='small.JPEG')
