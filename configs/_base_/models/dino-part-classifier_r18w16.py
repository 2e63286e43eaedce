# CPU-sized detector-based part model for the synthetic default: dino-part-classifier_r50.py
# scaled down to a quarter-width ResNet-18 (16 base channels, trainable BN, from scratch), DINO
# with 3 feature levels, 1 encoder and 2 decoder layers, 512-wide feed-forward layers, 20 queries
# and 20 denoising queries. The width stays 256: mmdet 3.3's DINO decoder encodes reference
# boxes with a fixed 128 features per coordinate (``coordinate_to_encoding``'s default), which
# only fits 256 channels. At 64 px the three levels hold 84 tokens, so this is still cheap.
_base_ = ['./dino-part-classifier_r50.py']
num_queries = 20
embed_dims = 256
model = dict(
    detector=dict(
        num_queries=num_queries,
        num_feature_levels=3,
        backbone=dict(
            depth=18,
            stem_channels=16,
            base_channels=16,
            frozen_stages=-1,
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=False,
            init_cfg=None),
        neck=dict(
            in_channels=[32, 64, 128], out_channels=embed_dims,
            norm_cfg=dict(type='GN', num_groups=32), num_outs=3),
        encoder=dict(
            num_layers=1,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=embed_dims, num_heads=8, num_levels=3,
                                   num_points=2),
                ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=2 * embed_dims))),
        decoder=dict(
            num_layers=2,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=embed_dims, num_heads=8),
                cross_attn_cfg=dict(embed_dims=embed_dims, num_heads=8, num_levels=3,
                                    num_points=2),
                ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=2 * embed_dims))),
        positional_encoding=dict(num_feats=embed_dims // 2),
        bbox_head=dict(embed_dims=embed_dims),
        dn_cfg=dict(group_cfg=dict(num_dn_queries=20)),
        test_cfg=dict(max_per_img=num_queries)))
