"""Bug: softmax without subtracting the max logit: exp(1000) overflows, the score is NaN."""

import numpy as np

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


class ImagePredictor(_solution.ImagePredictor):
    def predict(self, x):  # noqa: ANN001, ANN201
        if isinstance(x, list):
            return [self.predict(item) for item in x]
        logits = np.asarray(self.model(self.preprocess(_solution.load_image(x))), dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            probs = np.exp(logits) / np.exp(logits).sum()
        best = int(np.argmax(logits))
        return Prediction(self.labels[best], float(probs[best]))  # noqa: F405
