"""Model export and compression: ONNX export, int8 quantisation, magnitude pruning.

Import from the submodules (``rxvision.export.onnx``, ``.quantize``, ``.prune``); nothing heavy is
imported here.
"""
