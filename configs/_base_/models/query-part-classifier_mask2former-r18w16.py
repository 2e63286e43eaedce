# CPU-sized query part model for the synthetic default: query-part-classifier_mask2former-r50.py
# scaled down to a quarter-width ResNet-18 (16 base channels), 32-channel Mask2Former with 8
# queries, 2 decoder layers, a 1-layer pixel decoder (2 sampling points) and 256 sampled
# points for the mask losses; plain BN and GN, from scratch.
_base_ = ['./query-part-classifier_mask2former-r50.py']
feat = 32
model = dict(
    segmentor=dict(
        backbone=dict(
            depth=18,
            stem_channels=16,
            base_channels=16,
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=False,
            init_cfg=None),
        decode_head=dict(
            in_channels=[16, 32, 64, 128],
            feat_channels=feat,
            out_channels=feat,
            num_queries=8,
            pixel_decoder=dict(
                norm_cfg=dict(type='GN', num_groups=8),
                encoder=dict(
                    num_layers=1,
                    layer_cfg=dict(
                        self_attn_cfg=dict(embed_dims=feat, num_heads=4, num_points=2),
                        ffn_cfg=dict(embed_dims=feat, feedforward_channels=2 * feat))),
                positional_encoding=dict(num_feats=feat // 2)),
            positional_encoding=dict(num_feats=feat // 2),
            transformer_decoder=dict(
                num_layers=2,
                layer_cfg=dict(
                    self_attn_cfg=dict(embed_dims=feat, num_heads=4),
                    cross_attn_cfg=dict(embed_dims=feat, num_heads=4),
                    ffn_cfg=dict(embed_dims=feat, feedforward_channels=2 * feat))),
            train_cfg=dict(num_points=256))))
