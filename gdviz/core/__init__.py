"""The numeric core (numpy only, never pydantic, plotly or streamlit).

``landscapes`` (loss functions with exact gradients and Hessians), ``optim`` (torch.optim's
update rules as pure functions), ``schedules``, ``descent`` (``descend``: N trajectories in one
vectorised call), ``analysis`` (critical rates from the Hessian), ``race`` (several optimizers on
one landscape), ``sweep`` (learning-rate sweeps and basin maps), ``export`` (runs as CSV) and
``echo`` (user text quoted back safely).
"""
