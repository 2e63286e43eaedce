"""Class head on a part detector's queries: the original code's DINO ``seq`` model."""
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead

SCORE_ACTIVATIONS = ('softmax', 'sigmoid')


@MODELS.register_module()
class QuerySequencePartHead(BasePartHead):
    """Class logits from the part scores and boxes of a detector's queries.

    Per query, the part scores ``act(z_q)`` [P - 1] (``softmax``, the original's default, or
    ``sigmoid``, its ``sig`` token) next to the box (cx, cy, w, h) normalised to the image:
    [B, Q, P + 3] -> optionally queries sorted by their top score (``sort_dino_outputs``) ->
    optionally Conv1d(P + 3, 16, 1) per query (``conv1d``) -> optionally max over queries
    (``pool``) -> Flatten -> BN1d(D) -> Linear(D, 64) -> ReLU -> BN1d(64) -> Linear(64, C), with
    D = (P + 3 or 16) x (Q, or 1 when pooled).

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, part labels including background (the detector has P - 1
            part classes and no background).
        num_queries (int): Q, the detector's matching queries (the classifier's input size
            depends on it unless ``pool``).
        score_activation (str): ``'softmax'`` or ``'sigmoid'`` of the part logits.
        sort_queries (bool): Order the queries by their highest part score, descending.
        conv1d (bool): A shared 1x1 convolution to 16 channels per query first.
        pool (bool): Max over queries instead of flattening them.
        hidden_channels (int): Width of the hidden layer. Defaults to 64.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs = ('query_part_logits', 'query_boxes')

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 num_queries: int,
                 score_activation: str = 'softmax',
                 sort_queries: bool = False,
                 conv1d: bool = False,
                 pool: bool = False,
                 hidden_channels: int = 64,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, init_cfg=init_cfg)
        if score_activation not in SCORE_ACTIVATIONS:
            raise ValueError(f'score_activation must be one of {SCORE_ACTIVATIONS}, got '
                             f'"{score_activation}"')
        if num_queries < 1:
            raise ValueError(f'num_queries must be >= 1, got {num_queries}')
        self.num_queries = num_queries
        self.score_activation = score_activation
        self.sort_queries = sort_queries
        query_channels = num_part_labels - 1 + 4
        self.query_projection = nn.Conv1d(query_channels, 16, 1) if conv1d else None
        channels = 16 if conv1d else query_channels
        self.pool = nn.AdaptiveMaxPool1d(1) if pool else None
        flat = channels * (1 if pool else num_queries)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.BatchNorm1d(flat), nn.Linear(flat, hidden_channels),
            nn.ReLU(inplace=True), nn.BatchNorm1d(hidden_channels),
            nn.Linear(hidden_channels, num_classes))

    def forward(self, query_part_logits: Tensor, query_boxes: Tensor) -> Tensor:
        """Class logits [B, C] from part logits [B, Q, P - 1] and boxes [B, Q, 4]."""
        expected = (self.num_queries, self.num_part_labels - 1)
        if tuple(query_part_logits.shape[1:]) != expected:
            raise ValueError(f'{type(self).__name__} was built for {expected[0]} queries of '
                             f'{expected[1]} part classes, got part logits of shape '
                             f'{tuple(query_part_logits.shape)}')
        scores = query_part_logits.softmax(dim=-1) if self.score_activation == 'softmax' \
            else query_part_logits.sigmoid()
        queries = torch.cat([scores, query_boxes], dim=-1)
        if self.sort_queries:
            order = scores.max(dim=-1).values.argsort(dim=1, descending=True)
            queries = queries.gather(1, order[..., None].expand_as(queries))
        queries = queries.transpose(1, 2)
        if self.query_projection is not None:
            queries = self.query_projection(queries)
        if self.pool is not None:
            queries = self.pool(queries)
        return self.classifier(queries)
