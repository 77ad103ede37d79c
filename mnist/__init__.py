"""A compact MNIST CNN trained on the CPU, with its results exported to the backprop workbook."""
