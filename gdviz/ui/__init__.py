"""The Streamlit-aware layer: the only part of ``gdviz`` that imports streamlit.

The numeric core, the settings and the figure builders never import it (tests/test_boundaries.py);
the page scripts in ``pages/`` are glue over this layer.
"""
