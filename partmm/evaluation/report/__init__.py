"""Reports of the robust evaluation: validate a results dict, write markdown and plots, merge.

``write_report(results, out_dir)`` is the entry point; ``draw_adversarial_overlays`` draws the
per-run examples image the report embeds; ``merge_reports`` combines several report folders.
"""
from .markdown import render_markdown
from .overlays import draw_adversarial_overlays
from .plots import plot_accuracy_vs_eps, plot_corruptions, plot_shift
from .schema import FORMAT, validate_results
from .writer import load_results, merge_reports, write_report

__all__ = [
    'FORMAT', 'draw_adversarial_overlays', 'load_results', 'merge_reports',
    'plot_accuracy_vs_eps', 'plot_corruptions', 'plot_shift', 'render_markdown',
    'validate_results', 'write_report'
]
