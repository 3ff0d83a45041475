"""Bug: predict dispatches on lists at run time but declares no @typing.overload signatures."""

import numpy as np

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


class ImagePredictor(_solution.ImagePredictor):
    def predict(self, x):  # noqa: ANN001, ANN201
        if isinstance(x, list):
            return [self.predict(item) for item in x]
        logits = np.asarray(self.model(self.preprocess(_solution.load_image(x))), dtype=float)
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        return Prediction(self.labels[int(np.argmax(probs))], float(probs.max()))  # noqa: F405
