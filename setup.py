"""partmm: a declarative experiment runner for part-based robust image classifiers."""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name: str) -> list:
    """Requirement lines of requirements/<name>.txt, comments dropped."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join(HERE, 'partmm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='partmm',
    version=read_version(),
    description='Part-based robust image classifiers on MMEngine and MMSegmentation',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'benchmarks')),
    python_requires='>=3.9',
    # torch/torchvision and mmcv (built from source) come first, see tools/setup_env.sh.
    install_requires=['torch', 'torchvision', 'mmcv>=2.0.0rc4,<2.2.0'] +
    read_requirements('runtime'),
    extras_require=dict(tests=read_requirements('tests')),
    license='Apache License 2.0',
)
