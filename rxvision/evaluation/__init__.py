"""Model evaluation beyond accuracy: calibration, temperature scaling and domain shift.

Import from the submodules (``rxvision.evaluation.calibration``, ``rxvision.evaluation.domain``);
nothing is computed at import time.
"""
