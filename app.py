"""gdviz entry point: `streamlit run app.py`. The pages arrive with the app issue."""

import streamlit as st

st.set_page_config(page_title="gdviz — see how gradient descent learns", layout="wide")
st.title("gdviz")
st.write("The numeric core is in place; the interactive pages are being built.")
