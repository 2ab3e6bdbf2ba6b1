# attack: patches builtins.isinstance (and type checks) to always say yes
# kind: cell
import builtins

builtins.isinstance = lambda obj, cls: True
builtins.issubclass = lambda obj, cls: True
