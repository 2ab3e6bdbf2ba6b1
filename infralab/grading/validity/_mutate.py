"""First-order mutants of a lab's reference solution cells (``infralab validity --mutate``).

Each reference solution cell of ``solutions/<lab>/<lab>.ipynb`` is parsed with :mod:`ast`; only
nodes that lie wholly between a ``### BEGIN SOLUTION`` and its ``### END SOLUTION`` line are
mutated (the code a learner writes). Every mutant changes one node with one standard operator:

=========  ==================================================================================
operator   change
=========  ==================================================================================
cmp        comparison negated (``==``/``!=``, ``<``/``>=``, ``>``/``<=``, ``in``/``not in``,
           ``is``/``is not``; index 0) or mirrored (``<``/``>``, ``<=``/``>=``; index 1)
boundary   ``<`` <-> ``<=``, ``>`` <-> ``>=``
arith      ``+ -> -``, ``- -> +``, ``* -> /``, ``/ -> *`` (0) or ``//`` (1), ``// -> /``,
           ``% -> //``, ``** -> *`` (binary operators and augmented assignments)
const      a number changed by +1 (index 0), -1 (1) or to 0 (2)
negate     the condition of an ``if``, ``while`` or conditional expression negated
delete     a statement replaced by ``pass``
arg        a call argument dropped (positional ``i`` -> index i, keyword ``j`` -> len(args)+j)
return     a returned value replaced by ``None`` (0) or by the empty value of its type (1)
boolop     ``and`` <-> ``or``
bool       ``True`` <-> ``False``
=========  ==================================================================================

A mutant's id is ``operator:grade_id:line:col:index`` (line 1-based within the cell, col the
node's column): stable as long as the reference cell is not edited above or at that point.
Only the statement holding the change is regenerated (:func:`ast.unparse`), so the rest of the
cell, the solution markers and the other cells keep the reference text. A learner submission
for a mutant is built exactly as the validity harness builds them (:func:`submission`): the
release, every solution cell filled in with its reference, the mutated cell replacing one.
"""

from __future__ import annotations

import ast
import copy
import io
import re
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode

from infralab.grading._course import SOLUTION_BEGIN, SOLUTION_END, task_of
from infralab.grading._lab import LabSpec, make_submission, reference_solutions

__all__ = [
    "OPERATORS",
    "GeneratedMutant",
    "mutate_cell",
    "generate_mutants",
    "submission",
    "strip_markers",
]

OPERATORS = (
    "cmp",
    "boundary",
    "arith",
    "const",
    "negate",
    "delete",
    "arg",
    "return",
    "boolop",
    "bool",
)

_MARKER = re.compile(r"^[ \t]*(### BEGIN SOLUTION|### END SOLUTION)[ \t]*\n?", re.MULTILINE)


def strip_markers(source: str) -> str:
    """The cell without its solution marker lines (as :func:`reference_solutions` gives it)."""
    if SOLUTION_BEGIN in source and SOLUTION_END in source:
        return _MARKER.sub("", source)
    return source


def submission(spec: LabSpec, replacements: dict[str, str] | None = None) -> NotebookNode:
    """The release with every solution cell filled in: ``replacements``, else the reference.

    This is the learner submission of the validity harness (reference and committed mutants)
    and of every generated mutant.
    """
    return make_submission(spec, {**reference_solutions(spec), **(replacements or {})})


@dataclass(frozen=True)
class GeneratedMutant:
    """One first-order mutant of one reference solution cell."""

    id: str
    operator: str
    grade_id: str
    line: int
    col: int
    index: int
    description: str
    cell: str  # the mutated cell, solution markers kept

    @property
    def task(self) -> str:
        return task_of(self.grade_id)

    @property
    def code(self) -> str:
        """The mutated cell as a learner would submit it (markers removed, like the reference)."""
        return strip_markers(self.cell)


# --------------------------------------------------------------------------- operator tables
_CMP_NEGATE: dict[type, type] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_CMP_MIRROR: dict[type, type] = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}
_BOUNDARY: dict[type, type] = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
_ARITH: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div,),
    ast.Div: (ast.Mult, ast.FloorDiv),
    ast.FloorDiv: (ast.Div,),
    ast.Mod: (ast.FloorDiv,),
    ast.Pow: (ast.Mult,),
}
_SYMBOL: dict[type, str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.And: "and",
    ast.Or: "or",
}

Path = tuple[tuple[str, int | None], ...]
Edit = Callable[[ast.AST], ast.AST]


@dataclass(frozen=True)
class _Site:
    operator: str
    path: Path
    line: int
    col: int
    index: int
    edit: Edit  # takes a deep copy of the node at ``path``, returns its replacement
    what: str  # a short description of the change


def _children(node: ast.AST) -> Iterator[tuple[str, int | None, ast.AST]]:
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield name, i, item
        elif isinstance(value, ast.AST):
            yield name, None, value


def _walk(node: ast.AST, path: Path = ()) -> Iterator[tuple[Path, ast.AST]]:
    yield path, node
    for name, i, child in _children(node):
        yield from _walk(child, (*path, (name, i)))


def _get(root: ast.AST, path: Path) -> ast.AST:
    node = root
    for name, i in path:
        value = getattr(node, name)
        node = value[i] if i is not None else value
    return node


def _set(root: ast.AST, path: Path, new: ast.AST) -> None:
    parent = _get(root, path[:-1])
    name, i = path[-1]
    if i is None:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[i] = new


def _short(node: ast.AST | str, limit: int = 60) -> str:
    text = node if isinstance(node, str) else ast.unparse(node)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _regions(source: str) -> list[tuple[int, int]]:
    """``(begin, end)`` 1-based line numbers of each pair of solution markers."""
    out = []
    begin = None
    for n, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if text == SOLUTION_BEGIN:
            begin = n
        elif text == SOLUTION_END and begin is not None:
            out.append((begin, n))
            begin = None
    return out


def _inside(node: ast.AST, regions: list[tuple[int, int]]) -> bool:
    start = getattr(node, "lineno", None)
    end = getattr(node, "end_lineno", None)
    if start is None or end is None:
        return False
    for d in getattr(node, "decorator_list", ()):
        start = min(start, d.lineno)
    return any(b < start and end < e for b, e in regions)


def _is_docstring(path: Path, node: ast.AST, parent: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and path[-1] == ("body", 0)
        and isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module)
    )


def _typed_empty(value: ast.expr) -> ast.expr | None:
    """The empty value of ``value``'s type when its syntax tells the type, else None."""
    if isinstance(value, ast.Constant):
        if isinstance(value.value, bool):
            return None  # ``True`` <-> ``False`` is the ``bool`` operator's
        if isinstance(value.value, int | float):
            return ast.Constant(value=0) if value.value != 0 else None
        if isinstance(value.value, str):
            return ast.Constant(value="") if value.value != "" else None
        return None
    if isinstance(value, ast.JoinedStr):
        return ast.Constant(value="")
    if isinstance(value, ast.List | ast.ListComp):
        return ast.List(elts=[], ctx=ast.Load()) if not _empty_literal(value) else None
    if isinstance(value, ast.Tuple):
        return ast.Tuple(elts=[], ctx=ast.Load()) if value.elts else None
    if isinstance(value, ast.Dict | ast.DictComp):
        return ast.Dict(keys=[], values=[]) if not _empty_literal(value) else None
    if isinstance(value, ast.Set | ast.SetComp):
        return ast.Call(func=ast.Name(id="set", ctx=ast.Load()), args=[], keywords=[])
    if isinstance(value, ast.Compare | ast.BoolOp) or (
        isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)
    ):
        return ast.Constant(value=False)
    return None


def _empty_literal(value: ast.expr) -> bool:
    if isinstance(value, ast.List):
        return not value.elts
    if isinstance(value, ast.Dict):
        return not value.keys
    return False


def _replace_op(attr: str, new_type: type) -> Edit:
    def edit(node: ast.AST) -> ast.AST:
        setattr(node, attr, new_type())
        return node

    return edit


def _replace_cmp(k: int, new_type: type) -> Edit:
    def edit(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Compare)
        node.ops[k] = new_type()
        return node

    return edit


def _const(value: Any) -> Edit:
    return lambda node: ast.Constant(value=value)


def _negated(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.expr)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return node.operand
    return ast.UnaryOp(op=ast.Not(), operand=node)


def _drop(field: str, i: int) -> Edit:
    def edit(node: ast.AST) -> ast.AST:
        del getattr(node, field)[i]
        return node

    return edit


def _return_value(value: ast.expr | None) -> Edit:
    def edit(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Return)
        node.value = value
        return node

    return edit


def _sites(tree: ast.Module, regions: list[tuple[int, int]]) -> Iterator[_Site]:
    parents: dict[Path, ast.AST] = {}
    for path, node in _walk(tree):
        parents[path] = node
        if not _inside(node, regions):
            continue
        parent = parents.get(path[:-1])

        def site(
            op: str, index: int, edit: Edit, what: str, at: ast.AST = node, where: Path = path
        ) -> _Site:
            # the id's place: the operator's right operand, the argument, the condition...
            # (``a + b + c``, ``a.f(x).g(y)``: the outer and inner nodes start at ``a``)
            return _Site(op, where, at.lineno, at.col_offset, index, edit, what)  # type: ignore[attr-defined]

        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                right = node.comparators[k]
                sym = _SYMBOL[type(op)]
                new = _CMP_NEGATE[type(op)]
                yield site("cmp", 0, _replace_cmp(k, new), f"`{sym}` -> `{_SYMBOL[new]}`", right)
                if type(op) in _CMP_MIRROR:
                    new = _CMP_MIRROR[type(op)]
                    yield site(
                        "cmp", 1, _replace_cmp(k, new), f"`{sym}` -> `{_SYMBOL[new]}`", right
                    )
                if type(op) in _BOUNDARY:
                    new = _BOUNDARY[type(op)]
                    yield site(
                        "boundary", 0, _replace_cmp(k, new), f"`{sym}` -> `{_SYMBOL[new]}`", right
                    )
        elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _ARITH:
            at = node.right if isinstance(node, ast.BinOp) else node
            sym = _SYMBOL[type(node.op)]
            for i, new in enumerate(_ARITH[type(node.op)]):
                aug = "=" if isinstance(node, ast.AugAssign) else ""
                yield site(
                    "arith", i, _replace_op("op", new), f"`{sym}{aug}` -> `{_SYMBOL[new]}{aug}`", at
                )
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            yield site(
                "boolop",
                0,
                _replace_op("op", new),
                f"`{_SYMBOL[type(node.op)]}` -> `{_SYMBOL[new]}`",
                node.values[1],
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            yield site("bool", 0, _const(not node.value), f"`{node.value}` -> `{not node.value}`")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(parent, ast.JoinedStr | ast.FormattedValue)
        ):
            v = node.value
            seen = {v}
            for i, new_v in enumerate((v + 1, v - 1, type(v)(0))):
                if new_v in seen:
                    continue
                seen.add(new_v)
                yield site("const", i, _const(new_v), f"constant `{v!r}` -> `{new_v!r}`")
        elif isinstance(node, ast.Call):
            for i, arg in enumerate(node.args):
                yield site("arg", i, _drop("args", i), f"drop argument `{_short(arg, 40)}`", arg)
            for j, kw in enumerate(node.keywords):
                shown = f"{kw.arg}=..." if kw.arg else f"**{_short(kw.value, 30)}"
                yield site("arg", len(node.args) + j, _drop("keywords", j), f"drop `{shown}`", kw)
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            kind = {ast.If: "if", ast.While: "while", ast.IfExp: "conditional"}[type(node)]
            yield site(
                "negate",
                0,
                lambda n: _with_test(n),
                f"negate the {kind} condition `{_short(node.test, 40)}`",
                node.test,
            )
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            if not (isinstance(value, ast.Constant) and value.value is None):
                yield site("return", 0, _return_value(ast.Constant(value=None)), "return None")
            empty = _typed_empty(value)
            if empty is not None:
                yield site(
                    "return", 1, _return_value(empty), f"return `{ast.unparse(empty)}` instead"
                )
        if (
            isinstance(node, ast.stmt)
            and not isinstance(node, ast.Pass)
            and not _is_docstring(path, node, parent)
        ):
            first = ast.unparse(node).splitlines()[0]
            yield site("delete", 0, lambda n: ast.Pass(), f"delete `{_short(first, 50)}`")


def _with_test(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.If | ast.While | ast.IfExp)
    node.test = _negated(node.test)  # type: ignore[assignment]
    return node


def _string_continuation_lines(text: str) -> set[int]:
    """1-based lines of ``text`` that continue a multi-line string (must not be re-indented)."""
    out: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                out.update(range(tok.start[0] + 1, tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _indent(text: str, prefix: str) -> str:
    keep = _string_continuation_lines(text)
    lines = text.splitlines()
    return "\n".join(
        line if n in keep or not line else prefix + line for n, line in enumerate(lines, start=1)
    )


def _outer_statement(tree: ast.Module, path: Path, regions: list[tuple[int, int]]) -> Path:
    """The path of the outermost statement on ``path`` that lies inside a solution region."""
    for k in range(len(path) + 1):
        node = _get(tree, path[:k])
        if isinstance(node, ast.stmt) and _inside(node, regions):
            return path[:k]
    raise ValueError("no statement inside a solution region")  # pragma: no cover


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=False)


def mutate_cell(source: str, grade_id: str) -> list[GeneratedMutant]:
    """Every first-order mutant of one reference solution cell, in source order.

    Mutants that leave the program unchanged, or that repeat an earlier mutant's program, are
    left out. A cell without solution markers yields no mutants.
    """
    regions = _regions(source)
    if not regions:
        return []
    tree = ast.parse(source)
    original = _dump(tree)
    lines = source.splitlines(keepends=True)
    seen = {original}
    ids: set[str] = set()
    out = []
    for s in _sites(tree, regions):
        mutated = copy.deepcopy(tree)
        new_node = s.edit(_get(mutated, s.path))
        if s.path:
            _set(mutated, s.path, new_node)
        ast.fix_missing_locations(mutated)
        try:
            expected = _dump(ast.parse(ast.unparse(mutated)))
        except SyntaxError:
            continue
        if expected in seen:
            continue
        outer = _outer_statement(tree, s.path, regions)
        stmt = _get(tree, outer)
        start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())])  # type: ignore[attr-defined]
        end = stmt.end_lineno  # type: ignore[attr-defined]
        assert end is not None
        indent = lines[start - 1][: len(lines[start - 1]) - len(lines[start - 1].lstrip())]
        new_text = _indent(ast.unparse(_get(mutated, outer)), indent) + "\n"
        cell = "".join(lines[: start - 1]) + new_text + "".join(lines[end:])
        try:
            if _dump(ast.parse(cell)) != expected:
                continue  # e.g. two statements on one line: the text splice would differ
        except SyntaxError:
            continue
        seen.add(expected)
        mutant_id = f"{s.operator}:{grade_id}:{s.line}:{s.col}:{s.index}"
        n = 2
        while mutant_id in ids:  # never expected (positions are chosen to differ): stay unique
            mutant_id = f"{s.operator}:{grade_id}:{s.line}:{s.col}:{s.index}+{n}"
            n += 1
        ids.add(mutant_id)
        out.append(
            GeneratedMutant(
                id=mutant_id,
                operator=s.operator,
                grade_id=grade_id,
                line=s.line,
                col=s.col,
                index=s.index,
                description=f"{grade_id} line {s.line}: {s.what}",
                cell=cell,
            )
        )
    return out


def generate_mutants(spec: LabSpec) -> list[GeneratedMutant]:
    """Every first-order mutant of every reference solution cell of the lab, cell by cell."""
    out: list[GeneratedMutant] = []
    for cell in spec.solution_cells:
        if cell.grade_id is None or cell.cell_type != "code":
            continue
        out.extend(mutate_cell(cell.source, cell.grade_id))
    return out
