default_scope = 'partmm'
# Speed paths. compile and channels_last are off by default: each changes the order of
# floating-point sums, so results agree with the eager path to float32 rounding, not bit for
# bit (tests/test_speed_paths.py; measurements: benchmarks/speed_paths.py). The thread count
# changes some sums' order too (the demo's part mIoU: 60.66 % on 2 threads, 60.74 % on 1);
# keep_freed_cpu_buffers changes no number.
# - compile: mmengine's key (True, or a dict of torch.compile arguments). partmm moves it to
#   model.compile (partmm.utils.set_env.compile_model_network), which compiles the network
#   forward that training, validation, testing and every attack run through, instead of
#   mmengine's train_step (which would trace the optimizer and the attack loop, and leave
#   evaluation attacks eager). Each new train/eval mode or gradient need compiles once (about a
#   minute per graph for the CPU model on one core).
# - model.channels_last: NHWC activations and weights (BasePixelClassifier).
# - env_cfg.num_threads: intra-op threads per process; unset, the cores this process may use
#   divided by the local processes (LOCAL_WORLD_SIZE, set by torchrun in tools/dist_train.sh),
#   so that several processes never oversubscribe the cores (configure_cpu_threads).
# - env_cfg.keep_freed_cpu_buffers (default True, CPU runs): freed buffers stay in the process
#   for the next step instead of being page-faulted in again (keep_freed_cpu_buffers); values
#   are unchanged, the process keeps its peak heap.
compile = False
env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when launched on several CPU processes.
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='PartVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # A checkpoint every epoch (the last two kept) and the best by val accuracy, so a killed
    # job resumes where it stopped.
    checkpoint=dict(
        type='CheckpointHook', by_epoch=True, interval=1, max_keep_ckpts=2, save_last=True,
        save_best='accuracy/top1', rule='greater'),
    best_checkpoint_link=dict(type='BestCheckpointLinkHook', link_name='best.pth'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='PartVisualizationHook'),
    dataset_meta_check=dict(type='DatasetMetaCheckHook'),
    # Refuse a checkpoint that does not fit the model, instead of evaluating random weights.
    strict_load=dict(type='StrictLoadHook'),
    # Record the training split in every checkpoint; refuse to test on its images.
    data_split=dict(type='DataSplitHook'),
    # Reseed per epoch, so that a resumed run matches the uninterrupted one.
    epoch_seed=dict(type='EpochSeedHook'),
)
