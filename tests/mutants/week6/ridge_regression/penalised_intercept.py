"""Bug: the intercept is fitted as a column of ones inside the penalty (no centring)."""

import inspect

import solutions.week6.ridge_regression as _reference

_PATCHES = [
    (
        ("    Xc, yc, x_mean, y_mean = _centre(X, y, alpha, fit_intercept)\n    d = Xc.shape[1]"),
        (
            "    Xc, yc, x_mean, y_mean = _centre(X, y, alpha, False)\n"
            "    if fit_intercept:\n"
            "        Xc = np.column_stack([Xc, np.ones(len(Xc))])\n"
            "    d = Xc.shape[1]"
        ),
    ),
    (
        (
            "    intercept = y_mean - float(x_mean @ coef) if fit_intercept else 0.0\n"
            "    return coef, intercept\n"
            "\n"
            "\n"
            "def fit_ridge_gd"
        ),
        (
            "    intercept = float(coef[-1]) if fit_intercept else 0.0\n"
            "    coef = coef[:-1] if fit_intercept else coef\n"
            "    return coef, intercept\n"
            "\n"
            "\n"
            "def fit_ridge_gd"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
