"""The main job on the embedded default data, end to end.

Generates the synthetic PartImageNet (or, with ``--dataset``, the synthetic PASCAL-Part,
Cityscapes-Panoptic-Parts or PACO, each in its release's raw format), converts it like the real
release (both kept on re-runs with the same settings: the tools compare the manifests they leave in
data/), trains the Bounding-Box part model and its baseline (on PartImageNet the matched one: the
part model's encoder with a linear head, same schedule), tests the best checkpoint of each on the
test split and prints clean accuracy, part mIoU, parameters and training time side by side. With
``--adversarial`` it runs the papers' full recipe: after clean training each model is fine-tuned
with PGD adversarial training (PGD-10 on PartImageNet) from its best clean checkpoint, and the
table gives clean and PGD-10 (Linf 8/255) accuracy of both stages. With ``--robust`` it also runs
``tools/robust_test.py`` on all four checkpoints (clean and PGD-trained part model and baseline): a
PGD-20 sweep over eps, the 15 common corruptions x 5 severities and (PartImageNet only) the
shape-vs-texture and spurious-background sets on the whole test split, AutoAttack standard next to
the papers' PGD-100 (5 restarts) on a subset spread evenly over the classes (AutoAttack is slow
on a CPU), and merges everything into one report. With ``--supervision`` it runs the
masks-vs-boxes comparison instead: the Bounding-Box part model with its parts supervised by the
part masks, by box pseudo-masks or by the BoxInst loss on the part boxes, clean-trained, with
clean and PGD-10 accuracy and part mIoU against the true part masks. With ``--seeds N`` the
comparison runs with training seeds 0..N-1 (data order, initialisation and the training attacks'
starts; seed k > 0 under ``<work root>/seed<k>``) and adds tables of mean and sample standard
deviation over the seeds, with an up-front time estimate and an ETA after each seed;
``--only-seeds`` runs some of them (one process per core or machine sharing the work root), and a
run without it then writes the tables and a part-model-vs-baseline comparison that says, metric
by metric, whether the mean ± std intervals are apart. Each step is one of the project's own
tools, run as a user would; re-running resumes finished or interrupted training from its
checkpoints and reuses finished tests and robust evaluations of the same arguments.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

from partmm.datasets.output_guard import read_manifest
from partmm.evaluation.seed_statistics import (
    aggregate_seeds,
    aggregate_tables,
    compare_with_baseline,
    first_markdown_table,
    markdown_table,
    report_by_run,
)
from partmm.utils.checkpoint import run_checkpoints
from partmm.utils.training_logs import training_seconds

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHIFT_ROOT = osp.join(ROOT, 'data', 'synthetic_partimagenet_shift')
SHIFT_CONFIG = 'configs/_base_/datasets/synthetic-partimagenet-shift.py'
DATA_HINT = ('if the data there was made with other settings (or before partmm wrote '
             'manifests), rerun with --overwrite-data to replace it; runs trained on the old data '
             'are not replaced, and the demo then refuses their --work-root')
# The demo's datasets: each a synthetic release in the real one's raw format (generator) under
# data/, the converter run on it as on the release, and the configs' data token (their
# dataset base reads the converter's output there).
DATASETS = dict(
    partimagenet=dict(title='synthetic PartImageNet', release='synthetic_partimagenet',
                      generator='synthetic_partimagenet.py', num_images=3300,
                      converter='partimagenet.py', converter_args=[],
                      token='synthetic-partimagenet-64'),
    pascal_part=dict(title='synthetic PASCAL-Part', release='synthetic_pascal_part',
                     generator='synthetic_pascal_part.py', num_images=1500,
                     converter='pascal_part.py', converter_args=[],
                     token='synthetic-pascal-part-64'),
    cityscapes_parts=dict(title='synthetic Cityscapes-Panoptic-Parts',
                          release='synthetic_cityscapes_parts',
                          generator='synthetic_cityscapes_parts.py', num_images=480,
                          converter='cityscapes_parts.py', converter_args=[],
                          token='synthetic-cityscapes-parts-64'),
    paco=dict(title='synthetic PACO', release='synthetic_paco', generator='synthetic_paco.py',
              num_images=500, converter='paco.py', converter_args=['--crop-size', '72'],
              token='synthetic-paco-64'),
)


def demo_models(token: str) -> tuple:
    """(label in the tables, run name in test folders and reports, clean config, PGD-AT
    config) of each demo model on the data of config token ``token``; configs are paths under
    configs/ without .py. Training runs in <work root>/<config name>.

    On the default data (synthetic PartImageNet) the baseline is the matched one of the papers
    (the part model's encoder with a linear head, same schedule) and adversarial training uses
    the papers' PGD-10; the other synthetic datasets have the ResNet-18 baseline and PGD-3
    fine-tuning configs only."""
    part = 'part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw'
    if token == DATASETS['partimagenet']['token']:
        encoder = 'baselines/encoder-classifier_r18w32-os8_1xb32-adamw'
        return (
            ('Bounding-Box part model', 'part-wbbox', f'{part}-12e_{token}',
             f'{part}-4e-pgd10-at_{token}'),
            ('encoder baseline', 'encoder', f'{encoder}-12e_{token}',
             f'{encoder}-4e-pgd10-at_{token}'),
        )
    return (
        ('Bounding-Box part model', 'part-wbbox', f'{part}-12e_{token}',
         f'{part}-4e-pgd3-at_{token}'),
        ('ResNet-18 baseline', 'resnet18', f'baselines/timm-resnet18_1xb32-adamw-12e_{token}',
         f'baselines/timm-resnet18_1xb32-adamw-4e-pgd3-at_{token}'),
    )


def supervision_models(token: str) -> tuple:
    """(label in the table, run name in test folders, clean config) of the Bounding-Box part
    model with its parts supervised by the part masks (the demo's part model, so its training
    is shared), by filled part boxes as pseudo-masks, and by the BoxInst loss on the part boxes,
    on the data of config token ``token``; configs as in :func:`demo_models`. The box configs
    are the mask config's name with ``-boxmask`` / ``-boxinst``, under configs/part_box/."""
    _, name, masks, _ = demo_models(token)[0]

    def boxes(kind: str) -> str:
        return 'part_box/' + osp.basename(masks).replace(name, f'{name}-{kind}', 1)

    return (('part masks', name, masks),
            ('box pseudo-masks', f'{name}-boxmask', boxes('boxmask')),
            ('BoxInst loss', f'{name}-boxinst', boxes('boxinst')))


def run(step: str, command: List[str], hint: str = '') -> None:
    """Run one tool from the repo root; stop the demo with its exit code (and ``hint``) if it
    fails."""
    print(f'\n[demo] {step}\n[demo] $ {" ".join(command)}', flush=True)
    start = time.time()
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f'[demo] step failed ({step}), exit code {result.returncode}'
                 + (f'\n[demo] {hint}' if hint else ''))
    print(f'[demo] {step}: done in {time.time() - start:.0f} s', flush=True)


def prepare_data(dataset: dict, num_images: int, seed: int, overwrite: bool) -> None:
    """Generate and convert ``dataset``'s synthetic release; each tool keeps its output when
    the manifest there records the same settings (partmm.datasets.output_guard)."""
    python = sys.executable
    extra = ['--overwrite'] if overwrite else []
    release = osp.join(ROOT, 'data', dataset['release'])
    run(f'generate the {dataset["title"]}', [
        python, f'tools/dataset_converters/{dataset["generator"]}', release,
        '--num-images', str(num_images), '--seed', str(seed)
    ] + extra, DATA_HINT)
    run('convert it like the real release', [
        python, f'tools/dataset_converters/{dataset["converter"]}', release, '--seed', str(seed)
    ] + dataset['converter_args'] + extra, DATA_HINT)


DATA_RECORD = 'data_settings.json'


def check_runs_match_data(work_root: str, dataset: dict) -> None:
    """Stop if ``work_root`` holds runs trained on other data than ``data/`` holds now.

    Finished runs are reused by name, so after the release is made again with other settings
    (``--overwrite-data``, a newer generator) they would be tested on data they were not
    trained on. The generator's manifest settings are recorded in
    ``<work_root>/data_settings.json`` on first use and compared on every later one; a work
    root with runs but no record (made before the demo kept one) is refused too.
    """
    release = osp.join(ROOT, 'data', dataset['release'])
    manifest = read_manifest(release, dataset['release'])
    if manifest is None:
        sys.exit(f'[demo] {release} has no manifest of {dataset["generator"]}; make it with '
                 f'tools/dataset_converters/{dataset["generator"]}')
    current = dict(release=dataset['release'], settings=manifest['settings'])
    record = osp.join(work_root, DATA_RECORD)
    advice = 'pass another --work-root, or delete it to retrain there'
    if osp.isfile(record):
        with open(record) as f:
            recorded = json.load(f)
        if recorded != current:
            sys.exit(f'[demo] {work_root} holds runs trained on {recorded}, but {release} now '
                     f'holds {current}: {advice}')
        return
    if os.listdir(work_root):
        sys.exit(f'[demo] {work_root} holds runs but no {DATA_RECORD} saying which data '
                 f'they were trained on (made by an older demo): {advice}')
    with open(record, 'w') as f:
        json.dump(current, f, indent=1)


def prepare_shift_sets(seed: int, overwrite: bool) -> None:
    """Make the shape-vs-texture and spurious-background sets from the test split (kept when
    they were made from the same test split with the same settings)."""
    run('make the shape-vs-texture and spurious-background sets', [
        sys.executable, 'tools/dataset_converters/make_shift_sets.py',
        osp.join(ROOT, 'data', DATASETS['partimagenet']['release']), SHIFT_ROOT,
        '--seed', str(seed)
    ] + (['--overwrite'] if overwrite else []), DATA_HINT)


def seed_options(seed: int) -> List[str]:
    """``--cfg-options`` entries of a run with training seed ``seed``: it seeds data order,
    initialisation and the attacks' random starts. Seed 0 is the configs' own, so the
    single-seed demo keeps its commands and finished runs."""
    return [] if seed == 0 else [f'randomness.seed={seed}']


def seed_root(work_root: str, seed: int) -> str:
    """Where the runs of ``seed`` live: the work root itself for seed 0, else ``seed<k>/``."""
    return work_root if seed == 0 else osp.join(work_root, f'seed{seed}')


def train(config: str, work_root: str, load_from: Optional[str] = None, seed: int = 0) -> str:
    """Train ``configs/<config>.py`` in ``<work_root>/<config's name>`` (resuming if
    interrupted) with training seed ``seed``; return its best checkpoint."""
    work_dir = osp.join(work_root, osp.basename(config))
    command = [sys.executable, 'tools/train.py', f'configs/{config}.py', '--work-dir', work_dir]
    options = seed_options(seed)
    if run_checkpoints(work_dir):  # an earlier demo run: continue it (or find it finished)
        command.append('--resume')
    elif load_from is not None:
        options.append(f'load_from={load_from}')
    if options:
        command += ['--cfg-options', *options]
    run(f'train {osp.basename(config)}', command)
    best = osp.join(work_dir, 'best.pth')
    if not osp.isfile(best):
        sys.exit(f'[demo] no best checkpoint in {work_dir}; see its log')
    return best


def run_once(step: str, arguments: List[str], output: str, checkpoint: str) -> None:
    """Run the tool ``[python] + arguments`` unless ``output`` is from a run of the same
    arguments (recorded beside it) after ``checkpoint`` was last written: a resumed study reuses
    finished tests and robust evaluations (minutes to hours each on a CPU), and reruns those of
    other arguments (another subset size, another attack) or of a retrained checkpoint."""
    record = osp.join(osp.dirname(output), 'demo_arguments.json')
    if osp.isfile(output) and osp.isfile(record) and \
            osp.getmtime(output) >= osp.getmtime(checkpoint):
        with open(record) as f:
            if json.load(f) == arguments:
                print(f'[demo] {step}: reusing {output}')
                return
    run(step, [sys.executable] + arguments)
    with open(record, 'w') as f:
        json.dump(arguments, f)


def test(config: str, checkpoint: str, work_root: str, tag: str, seed: int = 0,
         options: Sequence[str] = ()) -> dict:
    """Test ``checkpoint`` with ``configs/<config>.py`` (and ``--cfg-options`` ``options``) on
    the test split (attack starts from ``seed``); return metrics."""
    work_dir = osp.join(work_root, f'test_{tag}')
    metrics_file = osp.join(work_dir, 'metrics.json')
    options = seed_options(seed) + list(options)
    run_once(f'test {tag}', [
        'tools/test.py', f'configs/{config}.py', checkpoint, '--work-dir', work_dir, '--out',
        metrics_file
    ] + (['--cfg-options', *options] if options else []), metrics_file, checkpoint)
    with open(metrics_file) as f:
        return json.load(f)


def robust_test(config: str, checkpoint: str, out_dir: str, name: str,
                extra: List[str]) -> None:
    """``tools/robust_test.py`` on ``checkpoint``; its report goes to ``out_dir``."""
    run_once(f'robust evaluation: {name}', [
        'tools/robust_test.py', f'configs/{config}.py', checkpoint, '--out', out_dir,
        '--work-dir', osp.join(out_dir, 'work'), '--name', name, '--batch-size',
        str(ROBUST_BATCH_SIZE)
    ] + extra, osp.join(out_dir, 'results.json'), checkpoint)


# Batch 16 runs the attacks ~2.5x faster per image than 64 on a 2-core CPU (cache-bound).
ROBUST_BATCH_SIZE = 16
AUTOATTACK_SAMPLES = 33
# Part maps of clean and PGD-20 (eps 8/255) images drawn per part model, of 6 classes.
NUM_OVERLAYS = 6


def evaluate_robustness(checkpoints: list, work_root: str, shift_sets: bool,
                        autoattack_samples: int = AUTOATTACK_SAMPLES) -> str:
    """Robust evaluation of every (run name, config, checkpoint), with the shape-vs-texture and
    spurious-background sets if ``shift_sets`` and AutoAttack on ``autoattack_samples`` test
    images spread over the classes; one merged report."""
    robust_root = osp.join(work_root, 'robust')
    outputs = []
    for name, config, checkpoint in checkpoints:
        sweep = osp.join(robust_root, f'{name}_sweep')
        robust_test(config, checkpoint, sweep, name, [
            '--attacks', 'pgd20', '--eps', '0,2,4,8,16', '--corruptions', 'all',
            '--overlay-attack', 'pgd20@eps8', '--num-overlays', str(NUM_OVERLAYS)
        ] + (['--shift-config', SHIFT_CONFIG] if shift_sets else []))
        subset = osp.join(robust_root, f'{name}_autoattack')
        robust_test(config, checkpoint, subset, f'{name} ({autoattack_samples} images)', [
            '--attacks', 'pgd,aa', '--eps', '8', '--num-samples', str(autoattack_samples),
            '--num-overlays', '0'
        ])
        outputs += [sweep, subset]
    report = osp.join(work_root, 'robust_report')
    run('merge the robustness reports', [
        sys.executable, 'tools/analysis_tools/merge_robust_reports.py', *outputs, '-o', report
    ])
    return report


def print_summary_table(report: str, title: str) -> None:
    """Print the summary table of a robustness report (its first markdown table)."""
    print(f'\n[demo] robustness, {title} test split\n'
          + markdown_table(first_markdown_table(report)))


# The table's metric columns: (header, key in tools/test.py's metrics or of
# :func:`model_facts`).
METRIC_COLUMNS = (('clean top-1 (%)', 'accuracy/top1'), ('PGD-10 top-1 (%)', 'accuracy/adv_top1'),
                  ('part mIoU (%)', 'part/mIoU'), ('parameters (M)', 'model/params_M'),
                  ('training (min)', 'model/training_min'))


def format_value(value: object) -> str:
    """A metric's cell: '-' if missing, ``mean ± std`` over seeds (see
    :func:`aggregate_seeds`), else the number, each with 2 decimals."""
    if value is None:
        return '-'
    if isinstance(value, dict):
        return f'{value["mean"]:.2f} ± {value["std"]:.2f}'
    return f'{value:.2f}'


def results_by_run(per_seed_rows: List[list], label: str) -> Dict[str, Dict[str, List[float]]]:
    """Seeds' demo tables -> training ('clean', 'clean + PGD-AT') -> accuracy or part-mIoU
    column title -> the values of model ``label`` over the seeds."""
    runs: Dict[str, Dict[str, List[float]]] = {}
    for rows in per_seed_rows:
        for row_label, training, metrics in rows:
            if row_label == label:
                for title, key in METRIC_COLUMNS:
                    if key in metrics and not key.startswith('model/'):
                        runs.setdefault(training, {}).setdefault(title, []).append(metrics[key])
    return runs


def write_comparison(models: tuple, per_seed_rows: List[list], robust_tables: list,
                     path: str) -> str:
    """The part model (``models[0]``, see :func:`demo_models`) against the baseline
    (``models[1]``) on every metric of the seeds' demo tables and robustness summaries, as a
    markdown table written to ``path``; returns the table."""
    (part_label, part_name, *_), (baseline_label, baseline_name, *_) = models
    rows = compare_with_baseline(results_by_run(per_seed_rows, part_label),
                                 results_by_run(per_seed_rows, baseline_label))
    rows += compare_with_baseline(report_by_run(robust_tables, part_name),
                                  report_by_run(robust_tables, baseline_name),
                                  lambda suffix: f'{part_name}{suffix} vs {baseline_name}{suffix}')
    table = markdown_table([['run', 'metric', part_label, baseline_label, 'difference',
                             'per seed', 'verdict (mean ± std apart?)']] + rows)
    with open(path, 'w') as f:
        f.write(f'{part_label} vs {baseline_label}, mean ± sample std over '
                f'{len(per_seed_rows)} training seeds; "higher" means the two mean ± std '
                'intervals do not overlap.\n\n' + table + '\n')
    return table


def format_table(header: tuple, rows: list) -> str:
    """A markdown table of ``rows``, each the cells under ``header`` (the leading columns)
    followed by a metrics dict; the metric columns are ``METRIC_COLUMNS``, '-' where a metric
    is missing."""
    cells = [tuple(header) + tuple(title for title, _ in METRIC_COLUMNS)]
    for *leading, metrics in rows:
        cells.append(tuple(leading) + tuple(format_value(metrics.get(key))
                                            for _, key in METRIC_COLUMNS))
    return markdown_table(cells)


def report(header: tuple, rows: list, title: str, path: str) -> None:
    """Print ``rows`` as a table (see :func:`format_table`) and save them as JSON to
    ``path``, one dict per row: its leading cells by ``header`` name, and ``metrics``."""
    print(f'\n[demo] {title}\n' + format_table(header, rows))
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump([dict(zip(header, leading), metrics=metrics) for *leading, metrics in rows],
                  f, indent=2)


def decoder_options(config: str, eval_config: str) -> List[str]:
    """``--cfg-options`` that give ``eval_config``'s model the decode-head sizes of
    ``config``'s (e.g. a narrower decoder), so that it loads ``config``'s checkpoint.

    Raises:
        ValueError: If the two models differ anywhere else than in those sizes, the part
            loss and the decode head's training loss (neither is used at test time).
    """
    from partmm.utils import load_config

    models = [load_config(osp.join(ROOT, 'configs', f'{name}.py')).model.to_dict()
              for name in (config, eval_config)]
    heads = [model['segmentor']['decode_head'] for model in models]
    sizes = {key: heads[0][key] for key in ('channels', 'c1_channels')
             if heads[0].get(key) != heads[1].get(key)}
    for model, head in zip(models, heads):
        model.pop('part_loss', None)
        head.pop('loss_decode', None)
        head.update(sizes)
    if models[0] != models[1]:
        raise ValueError(f'configs/{config}.py and configs/{eval_config}.py differ in more than '
                         'the decoder sizes: one cannot test the other\'s checkpoint')
    return [f'model.segmentor.decode_head.{key}={value}' for key, value in sizes.items()]


def compare_supervision(token: str, work_root: str) -> list:
    """Clean-train the part model under each supervision of :func:`supervision_models` (the
    mask model's work dir is the default demo's) and test each best checkpoint on the test
    split; rows of (label, metrics). All three are tested with the mask model's PGD-AT config:
    the same test data (the true part maps, so part mIoU is against them), and its hook runs
    PGD-10 (Linf 8/255) at test time, as for the clean rows of ``--adversarial``; a model with
    other decoder sizes gets them by ``--cfg-options`` (:func:`decoder_options`). Each row also
    has the model's parameters and training time."""
    eval_config = demo_models(token)[0][3]
    test_root = osp.join(work_root, 'supervision')
    rows = []
    for label, name, config in supervision_models(token):
        metrics = test(eval_config, train(config, work_root), test_root, name,
                       options=decoder_options(config, eval_config))
        rows.append((label, {**metrics, **model_facts(config, work_root, [config])}))
    return rows


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """The demo's options; ``--robust`` implies ``--adversarial``, and ``--work-root`` gets its
    per-dataset default."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dataset', choices=list(DATASETS), default='partimagenet',
                        help='the synthetic release to run on (default: %(default)s)')
    parser.add_argument('--num-images', type=int,
                        help="images of the synthetic release (default: the dataset's)")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--work-root',
                        help='default: work_dirs/demo (PartImageNet), work_dirs/demo_<dataset>')
    parser.add_argument('--overwrite-data', action='store_true',
                        help='replace data in data/ made with other settings (the tools keep '
                        'data of the same settings anyway)')
    parser.add_argument('--adversarial', action='store_true',
                        help='also fine-tune with PGD adversarial training and test under PGD')
    parser.add_argument('--robust', action='store_true',
                        help='--adversarial, then robust evaluation of all four checkpoints '
                        '(PGD, AutoAttack, corruptions, shifted sets) and a report')
    parser.add_argument('--seeds', type=int, default=1,
                        help='run the comparison with training seeds 0..N-1 (data order, '
                        'initialisation, attack starts; seed k > 0 under <work root>/seed<k>) '
                        'and add tables of mean ± std over them (default: %(default)s)')
    parser.add_argument('--only-seeds', type=int, nargs='+', metavar='K',
                        help='run only these of the --seeds seeds, in this order, e.g. one '
                        'process per core or machine sharing the work root; a later run without '
                        'it reuses their runs and writes the mean ± std tables')
    parser.add_argument('--autoattack-samples', type=int, default=AUTOATTACK_SAMPLES,
                        help='test images, spread evenly over the classes, for AutoAttack and '
                        'PGD-100 with --robust (default: %(default)s)')
    parser.add_argument('--supervision', action='store_true',
                        help='instead, masks vs boxes: clean-train the Bounding-Box part model '
                        'with its parts supervised by part masks, box pseudo-masks and the '
                        'BoxInst loss (reusing the default run\'s mask model) and print clean '
                        'and PGD-10 accuracy and part mIoU against the true part masks of each')
    args = parser.parse_args(argv)
    args.adversarial = args.adversarial or args.robust
    if args.seeds < 1 or args.autoattack_samples < 1:
        parser.error('--seeds and --autoattack-samples must be at least 1')
    if args.only_seeds is not None and not set(args.only_seeds) <= set(range(args.seeds)):
        parser.error(f'--only-seeds {args.only_seeds} are not all among the --seeds '
                     f'{args.seeds} seeds 0..{args.seeds - 1}')
    if args.supervision:
        if args.seeds > 1:
            parser.error('--supervision runs one seed')
        if args.adversarial:
            parser.error('--supervision compares clean-trained models; no PGD-AT configs of '
                         'the box-supervised models exist for --adversarial or --robust')
        for _, _, config in supervision_models(DATASETS[args.dataset]['token']):
            if not osp.isfile(osp.join(ROOT, 'configs', f'{config}.py')):
                parser.error(f'--supervision on --dataset {args.dataset} needs '
                             f'configs/{config}.py, which does not exist')
    if args.work_root is None:
        folder = 'demo' if args.dataset == 'partimagenet' else f'demo_{args.dataset}'
        args.work_root = osp.join(ROOT, 'work_dirs', folder)
    return args


# Minutes of one seed's run from nothing for the up-front estimate of a multi-seed study, as
# measured with one process per core on the 2-core CPU (--only-seeds, the other core busy with
# another seed; finished runs are reused, so a resumed study takes less). Clean: part model
# 11.8 min of training, baseline 5.7, tests 1.5; adversarial adds PGD-10 fine-tuning (36.8 and
# 13.9 min) and 2 tests; robust adds the four sweeps (about 10 min for a part model, less for
# a baseline) and AutoAttack with PGD-100, 5 restarts, per image (11 s for the clean-trained part
# model, about 33 s for the PGD-trained one, whose images survive the first attacks).
# The default demo, one process on both cores, ran about twice as fast as one core (9.7 min).
MINUTES_PER_SEED = dict(clean=19, adversarial=71)
ROBUST_SWEEP_MINUTES = 30
MINUTES_PER_AUTOATTACK_IMAGE = 1.0


def minutes_per_seed(mode: str, autoattack_samples: int) -> int:
    """Estimated minutes of one seed in ``mode`` ('clean', 'adversarial' or 'robust')."""
    if mode != 'robust':
        return MINUTES_PER_SEED[mode]
    return round(MINUTES_PER_SEED['adversarial'] + ROBUST_SWEEP_MINUTES
                 + MINUTES_PER_AUTOATTACK_IMAGE * autoattack_samples)


def parameter_millions(config: str) -> float:
    """Parameters of the model of ``configs/<config>.py``, in millions."""
    from partmm.registry import MODELS
    from partmm.utils import load_config, register_all_modules

    register_all_modules()
    model = MODELS.build(load_config(osp.join(ROOT, 'configs', f'{config}.py')).model)
    return sum(parameter.numel() for parameter in model.parameters()) / 1e6


def model_facts(config: str, work_root: str, stages: List[str]) -> dict:
    """The table's model columns: parameters of ``config``'s model and minutes of training
    iterations of all ``stages`` (configs whose runs led to the checkpoint, trained in
    ``work_root``; validation and testing not included), from their logs."""
    seconds = sum(training_seconds(osp.join(work_root, osp.basename(stage))) for stage in stages)
    return {'model/params_M': parameter_millions(config), 'model/training_min': seconds / 60}


def run_seed(dataset: dict, work_root: str, seed: int, adversarial: bool) -> tuple:
    """Train and test the demo models with training seed ``seed`` under ``work_root``; return
    the table's rows and, for the robust evaluation, the (run name, config, checkpoint) of
    every clean and PGD-AT model."""
    rows, checkpoints = [], []
    for label, name, config, robust_config in demo_models(dataset['token']):
        clean_best = train(config, work_root, seed=seed)
        clean_facts = model_facts(config, work_root, [config])
        if not adversarial:
            rows.append((label, 'clean', {**test(config, clean_best, work_root, name, seed),
                                          **clean_facts}))
            continue
        # The PGD-AT config's hook attacks at test time too: clean and PGD-10 accuracy.
        rows.append((label, 'clean', {**test(robust_config, clean_best, work_root, name, seed),
                                      **clean_facts}))
        robust_best = train(robust_config, work_root, load_from=clean_best, seed=seed)
        robust_name = f'{name}_pgd-at'
        checkpoints += [(name, config, clean_best), (robust_name, robust_config, robust_best)]
        rows.append((label, 'clean + PGD-AT', {
            **test(robust_config, robust_best, work_root, robust_name, seed),
            **model_facts(robust_config, work_root, [config, robust_config])}))
    return rows, checkpoints


def main() -> None:
    args = parse_args()
    dataset = DATASETS[args.dataset]
    start = time.time()
    os.makedirs(args.work_root, exist_ok=True)
    prepare_data(dataset, args.num_images or dataset['num_images'], args.seed,
                 args.overwrite_data)
    check_runs_match_data(args.work_root, dataset)
    if args.supervision:
        summary = osp.join(args.work_root, 'supervision', 'results.json')
        report(('part supervision', ), compare_supervision(dataset['token'], args.work_root),
               f'masks vs boxes, {dataset["title"]}, test split (part mIoU against the true '
               'part masks)', summary)
        print(f'[demo] total {time.time() - start:.0f} s; results in {summary}')
        return
    # The shape-vs-texture and spurious-background sets exist for PartImageNet only.
    shift_sets = args.robust and args.dataset == 'partimagenet'
    if shift_sets:
        prepare_shift_sets(args.seed, args.overwrite_data)
    mode = 'robust' if args.robust else 'adversarial' if args.adversarial else 'clean'
    # In the order given: a process can take the seed that is furthest behind first.
    seeds = list(dict.fromkeys(args.only_seeds)) if args.only_seeds else list(range(args.seeds))
    if args.seeds > 1:
        minutes = minutes_per_seed(mode, args.autoattack_samples)
        print(f'[demo] training seeds {seeds} of {args.seeds}: about {len(seeds) * minutes} '
              f'min from nothing ({minutes} min per seed on one core of a 2-core CPU; finished '
              'runs are reused, an interrupted study resumes)', flush=True)
    per_seed_rows, robust_tables = [], []
    for done, index in enumerate(seeds, start=1):
        root = seed_root(args.work_root, index)
        rows, checkpoints = run_seed(dataset, root, index, args.adversarial)
        per_seed_rows.append(rows)
        title = f'{dataset["title"]}, test split' + (f', seed {index}' if args.seeds > 1 else '')
        report(('model', 'training'), rows, title, osp.join(root, 'results.json'))
        if args.robust:
            report_md = osp.join(evaluate_robustness(checkpoints, root, shift_sets,
                                                     args.autoattack_samples), 'report.md')
            print_summary_table(report_md, title)
            print(f'[demo] robustness report: {report_md}')
            robust_tables.append(first_markdown_table(report_md))
        if args.seeds > 1:
            elapsed = time.time() - start
            left = elapsed / done * (len(seeds) - done)
            print(f'[demo] seed {index} done ({done}/{len(seeds)}) after {elapsed / 60:.0f} '
                  f'min; ETA {left / 60:.0f} min', flush=True)
    if len(seeds) < args.seeds:
        print(f'[demo] seeds {seeds} done in {time.time() - start:.0f} s; once all '
              f'{args.seeds} seeds are, run without --only-seeds for the mean ± std tables')
        return
    summary = osp.join(args.work_root, 'results.json')
    if args.seeds > 1:
        summary = osp.join(args.work_root, f'results_{args.seeds}seeds.json')
        report(('model', 'training'), aggregate_seeds(per_seed_rows),
               f'{dataset["title"]}, test split, mean ± std over {args.seeds} seeds', summary)
        if robust_tables:
            robust_md = osp.join(args.work_root, f'robust_report_{args.seeds}seeds.md')
            table = markdown_table(aggregate_tables(robust_tables))
            with open(robust_md, 'w') as f:
                f.write(f'Mean ± std over {args.seeds} training seeds (sample std).\n\n'
                        f'{table}\n')
            print(f'\n[demo] robustness, mean ± std over {args.seeds} seeds\n{table}')
        comparison = osp.join(args.work_root, f'comparison_{args.seeds}seeds.md')
        table = write_comparison(demo_models(dataset['token']), per_seed_rows, robust_tables,
                                 comparison)
        print(f'\n[demo] part model vs baseline over {args.seeds} seeds ({comparison})\n{table}')
    print(f'[demo] total {time.time() - start:.0f} s; results in {summary}')


if __name__ == '__main__':
    main()
