"""Training: losses, optimisers and schedules, augmentation, the training loop."""
