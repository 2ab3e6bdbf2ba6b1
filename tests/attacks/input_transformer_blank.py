# attack: an IPython input transformer that blanks every later cell (hidden tests included)
# kind: cell
from IPython import get_ipython

get_ipython().input_transformers_cleanup.append(lambda lines: [])
