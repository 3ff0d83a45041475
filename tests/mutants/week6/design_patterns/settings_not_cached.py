"""Bug: get_settings builds a new Settings on every call (no functools.cache)."""

import os

from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


def get_settings() -> Settings:  # noqa: F405
    return Settings(model_dir=os.environ.get("RXVISION_MODEL_DIR", "models"))  # noqa: F405


get_settings.cache_clear = lambda: None
