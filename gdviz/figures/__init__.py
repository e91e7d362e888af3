"""Plotly figure builders: arrays and trajectories in, ``go.Figure`` out.

Never imports streamlit.
"""
