# attack: an AST transformer that turns every assert into pass
# kind: cell
import ast

from IPython import get_ipython


class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.copy_location(ast.Pass(), node)


get_ipython().ast_transformers.append(_NoAsserts())
