"""Conditions: the small expression language service admins write to decide whether a
material is needed, a form field is shown, or a workflow step is skipped.

    house_delivered == "否"
    relation in ["本人", "配偶"] and age >= 16
    not agreed 或 score < 60

The syntax is a sliver of Python's: field keys (any identifier), string, int and float
literals, true/false/True/False, null/None, lists (and parenthesised tuples), the
comparisons == != < <= > >= in, not in (chains allowed), and, or, not, parentheses, and
the Chinese aliases 且 (and), 或 (or), 非 (not). The text is parsed with
`ast.parse(mode="eval")`, which only builds a syntax tree, and the tree is checked
against a whitelist and turned into plain closures. Nothing an admin writes is ever
passed to eval, exec or compile to code.

Evaluation never raises: a missing answer is None; a comparison that cannot be made
(None < 1, "a" > 2, `in` something that is not a list or a string) is False, whichever
the operator, like SQL's NULL. So `x not in y` with y missing is False too, not the
opposite of `x in y`. Answers are compared as given: "18" is not 18.
"""

from __future__ import annotations

import ast
import functools
import operator
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.lib.errors import ApplicationError

MAX_LENGTH = 300
MAX_NODES = 100
MAX_DEPTH = 20

# Replaced outside string literals, anywhere (no spaces needed around them): so a field
# key cannot contain these three characters. Keys are slugs, so none does.
_ALIASES = {"且": " and ", "或": " or ", "非": " not "}  # i18n: data (the language of conditions)
_LITERAL_NAMES: dict[str, object] = {"true": True, "false": False, "null": None}
_FULL_WIDTH = frozenset("“”‘’（）［］【】，＝！＜＞")  # i18n: data

_FORBIDDEN = {
    ast.Call: gettext_lazy("a function call"),
    ast.Attribute: gettext_lazy("attribute access (.)"),
    ast.Subscript: gettext_lazy("subscripting ([])"),
    ast.Lambda: gettext_lazy("a lambda expression"),
    ast.ListComp: gettext_lazy("a comprehension"),
    ast.SetComp: gettext_lazy("a comprehension"),
    ast.DictComp: gettext_lazy("a comprehension"),
    ast.GeneratorExp: gettext_lazy("a comprehension"),
    ast.JoinedStr: gettext_lazy("an f-string"),
    ast.FormattedValue: gettext_lazy("an f-string"),
    ast.IfExp: gettext_lazy("a conditional expression (… if … else …)"),
    ast.NamedExpr: gettext_lazy("an assignment expression (:=)"),
    ast.Dict: gettext_lazy("a dictionary"),
    ast.Set: gettext_lazy("a set ({})"),
    ast.Starred: gettext_lazy("unpacking (*)"),
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: gettext_lazy("a slice"),
}
_OPERATOR_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
    ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.USub: "-", ast.UAdd: "+",
    ast.Is: "is", ast.IsNot: "is not",
}

Answers = Mapping[str, object]
_Fn = Callable[[Answers], object]


class ConditionError(ApplicationError):
    """A condition that cannot be accepted. `message` is for the admin, in Chinese;
    `position` is the 0-based offset in the text it is about (None for the whole)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__("condition_invalid", message,
                         extra={"position": position} if position is not None else None)
        self.position = position


@dataclass(frozen=True, eq=False)
class Condition:
    """A parsed condition. Immutable, so `parse` can hand out the same one for the
    same text."""

    text: str
    names: frozenset[str]
    _fn: _Fn = field(repr=False)
    # Each field reference and where it is, in reading order (for `check`).
    _references: tuple[tuple[str, int], ...] = field(repr=False, default=())

    def evaluate(self, answers: Answers) -> bool:
        """True or False for these form answers; never raises for any answers."""
        return bool(self._fn(answers))


ALWAYS = Condition("", frozenset(), lambda _answers: True)


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Condition:
    """Parse an admin's condition. Empty or blank text is the condition that is always
    true. Refuses, with a ConditionError saying what and where: text over 300
    characters, syntax errors, anything outside the whitelist (calls, attributes,
    subscripts, arithmetic, lambdas, comprehensions, f-strings, …), over 100 nodes or
    nesting deeper than 20."""
    if not text.strip():
        return ALWAYS
    if len(text) > MAX_LENGTH:
        raise ConditionError(_("The condition is too long: %(most)s characters at most") % {"most": MAX_LENGTH})
    source, origin = _normalise(text)
    lead = len(source) - len(source.lstrip(" "))
    source, origin = source[lead:], origin[lead:]
    try:
        with warnings.catch_warnings():
            # "18and x" or "\d" warn and still parse as meant; the warning is noise here.
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise _syntax_error(text, source, origin, error) from None
    except (ValueError, RecursionError, MemoryError):
        raise ConditionError(_("The condition cannot be parsed or is too complex")) from None
    if sum(isinstance(node, ast.expr) for node in ast.walk(tree)) > MAX_NODES:
        raise ConditionError(_("The condition is too complex: split or simplify it"))
    references: list[tuple[str, int]] = []
    fn = _Compiler(source, origin, references).compile(tree.body, depth=1)
    references.sort(key=lambda ref: ref[1])
    return Condition(text, frozenset(name for name, _ in references), fn, tuple(references))


def check(text: str, known: Iterable[str]) -> None:
    """Parse `text` and refuse it if it names a field not in `known`: the
    ConditionError ("未知字段 …") names the first unknown field in reading order.
    Also refuses everything `parse` refuses."""
    condition = parse(text)
    known = set(known)
    for name, position in condition._references:
        if name not in known:
            raise ConditionError(_("Unknown field %(name)s") % {"name": name}, position)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Replace the Chinese aliases and tabs outside string literals. Returns the new
    text and, for each of its characters, the offset in `text` it came from (plus one
    entry for the end). Refuses a line break, in a string literal or not."""
    out: list[str] = []
    origin: list[int] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\r\n":
            raise ConditionError(_("A line break at character %(at)s: write the condition on one line")
                                 % {"at": i + 1}, i)
        if char in "'\"":
            j = i + 1
            while j < n and text[j] != char:
                if text[j] in "\r\n":
                    raise ConditionError(_("A line break at character %(at)s: write the condition on one line")
                                         % {"at": j + 1}, j)
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j])
            origin.extend(range(i, j))
            i = j
            continue
        replacement = _ALIASES.get(char, " " if char == "\t" else char)
        out.append(replacement)
        origin.extend([i] * len(replacement))
        i += 1
    origin.append(n)
    return "".join(out), origin


def _syntax_error(text: str, source: str, origin: list[int], error: SyntaxError) -> ConditionError:
    column = (error.offset or 0) - 1  # SyntaxError.offset is 1-based, in characters
    if column < 0 or column >= len(source) or not source[column:].strip():
        return ConditionError(_("The condition is incomplete: something is missing at the end"), len(text))
    position = origin[column]
    char = text[position]
    if char in _FULL_WIDTH:
        return ConditionError(_("Character %(at)s is the full-width sign \"%(char)s\": use the half-width one")
                              % {"at": position + 1, "char": char}, position)
    return ConditionError(_("A syntax error at character %(at)s") % {"at": position + 1}, position)


def _ordered(compare: Callable[[object, object], object]) -> Callable[[object, object], bool]:
    def op(left: object, right: object) -> bool:
        try:
            return bool(compare(left, right))
        except TypeError:  # None < 1, "a" < 1: not comparable, so not true
            return False

    return op


def _contains(item: object, container: object) -> bool | None:
    """`item in container`, or None when that cannot be asked."""
    if not isinstance(container, list | tuple | set | frozenset | str):
        return None
    try:
        return item in container
    except TypeError:  # 1 in "abc", an unhashable item in a set
        return None


_COMPARISONS: dict[type[ast.cmpop], Callable[[object, object], bool]] = {
    ast.Eq: lambda left, right: bool(left == right),
    ast.NotEq: lambda left, right: bool(left != right),
    ast.Lt: _ordered(operator.lt),
    ast.LtE: _ordered(operator.le),
    ast.Gt: _ordered(operator.gt),
    ast.GtE: _ordered(operator.ge),
    ast.In: lambda item, container: _contains(item, container) is True,
    ast.NotIn: lambda item, container: _contains(item, container) is False,
}


class _Compiler:
    """Checks a tree against the whitelist and turns it into closures over the answers."""

    def __init__(self, source: str, origin: list[int], references: list[tuple[str, int]]) -> None:
        self.source = source
        self.origin = origin
        self.references = references
        self._encoded = source.encode()

    def position(self, node: ast.AST) -> int:
        # col_offset counts UTF-8 bytes; map it to a character of the admin's text.
        column = len(self._encoded[: getattr(node, "col_offset", 0)].decode(errors="ignore"))
        return self.origin[min(column, len(self.origin) - 1)]

    def refuse(self, node: ast.AST, what: str) -> ConditionError:
        return ConditionError(_("Not supported: %(what)s") % {"what": what}, self.position(node))

    def compile(self, node: ast.AST, *, depth: int) -> _Fn:
        if depth > MAX_DEPTH:
            raise ConditionError(_("The condition nests too deep: %(most)s levels at most")
                                 % {"most": MAX_DEPTH}, self.position(node))
        inner = depth + 1
        if isinstance(node, ast.Constant):
            value = node.value
            if value is not None and not isinstance(value, str | int | float):
                raise self.refuse(node, _("the constant %(value)r") % {"value": value})
            return lambda _answers: value
        if isinstance(node, ast.Name):
            if node.id in _LITERAL_NAMES:
                literal = _LITERAL_NAMES[node.id]
                return lambda _answers: literal
            key = node.id
            self.references.append((key, self.position(node)))
            return lambda answers: answers.get(key)
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.compile(item, depth=inner) for item in node.elts]
            return lambda answers: [item(answers) for item in items]
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth=inner)
        if isinstance(node, ast.BoolOp):
            operands = [self.compile(value, depth=inner) for value in node.values]
            if isinstance(node.op, ast.And):
                return lambda answers: all(operand(answers) for operand in operands)
            return lambda answers: any(operand(answers) for operand in operands)
        if isinstance(node, ast.Compare):
            return self.compare(node, depth=inner)
        if isinstance(node, ast.BinOp):
            symbol = _OPERATOR_SYMBOLS.get(type(node.op), "")
            raise self.refuse(node, (_("the operator %(op)s") % {"op": symbol}).rstrip())
        raise self.refuse(node, _FORBIDDEN.get(type(node), type(node).__name__))

    def unary(self, node: ast.UnaryOp, *, depth: int) -> _Fn:
        if isinstance(node.op, ast.Not):
            operand = self.compile(node.operand, depth=depth)
            return lambda answers: not operand(answers)
        # A signed number literal (-1, +2.5) is a number, not arithmetic.
        number = node.operand
        if (isinstance(node.op, ast.USub | ast.UAdd) and isinstance(number, ast.Constant)
                and isinstance(number.value, int | float) and not isinstance(number.value, bool)):
            value = -number.value if isinstance(node.op, ast.USub) else number.value
            return lambda _answers: value
        symbol = _OPERATOR_SYMBOLS.get(type(node.op), "")
        raise self.refuse(node, (_("the operator %(op)s") % {"op": symbol}).rstrip())

    def compare(self, node: ast.Compare, *, depth: int) -> _Fn:
        ops = []
        for op in node.ops:
            if type(op) not in _COMPARISONS:
                symbol = _OPERATOR_SYMBOLS.get(type(op), "")
                raise self.refuse(node, _("the comparison %(op)s (use == or !=)") % {"op": symbol})
            ops.append(_COMPARISONS[type(op)])
        operands = [self.compile(operand, depth=depth) for operand in [node.left, *node.comparators]]

        def evaluate(answers: Answers) -> bool:
            left = operands[0](answers)
            for op, right_fn in zip(ops, operands[1:], strict=True):
                right = right_fn(answers)
                if not op(left, right):
                    return False
                left = right
            return True

        return evaluate
