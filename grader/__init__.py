"""rxgrade: the RxVision25 grader (pytest plugin, manifest, reports, CLI)."""
