"""Backpropagation from scratch in NumPy: the spreadsheet's chain rule, one layer at a time.

    layers.py  Linear, Sigmoid, Tanh, ReLU, Dropout, SoftmaxCrossEntropy, SquaredError:
               each forward beside its backward, whole batches at once
    model.py   Sequential and the MLP built from a list of sizes
    optim.py   SGD with momentum, learning-rate schedules

The workbook's 2-2-2 network is `mlp([2, 2, 2], "sigmoid", bias=False)` with `SquaredError`;
the MNIST models of `python -m mnist train --model mlp|linear` are the same code, wider.
"""
