"""Learning from data (numpy only): ``models`` (linear, logistic and sigmoid neurons as
objectives over rows), ``datasets`` (bundled examples and bounded CSV reading), ``training``
(problems, batch / stochastic / mini-batch training) and ``snippet`` (the same run in PyTorch)."""
