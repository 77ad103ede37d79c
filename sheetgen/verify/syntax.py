"""Excel formulas as trees: what the compiler turns into Python and the diagnosis compares.

`parse` tokenises a formula with openpyxl's tokenizer and builds a tree with Excel's operator
precedence. Chains of the same operators are one node with many operands (`a + b - c` is a
`chain` of three), so a formula of 4,000 terms is a shallow tree; nesting (parentheses,
functions, unary minus, powers, comparisons) is limited to MAX_DEPTH levels. Each node knows the
tokens it spans, so a diagnosis can quote the student's own text for any part of a formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.formula.tokenizer import Token, Tokenizer

from .values import short

MAX_DEPTH = 100  # Excel allows 64 nested functions; LibreOffice fails at 250 parentheses
MAX_LENGTH = 8192  # Excel's limit on the characters of a formula
PREC = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2,
        "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}
ARITH = {"+", "-", "*", "/"}


UNSUPPORTED = "unsupported"  # the code of a SyntaxProblem for valid Excel the engine does not read


class SyntaxProblem(ValueError):
    """The formula cannot be read; `code` is the Excel error it evaluates to, or UNSUPPORTED
    (the detail then names the feature: valid Excel that the verifier does not evaluate)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass
class Node:
    """kind: number text bool error operand paren neg pct chain cat pow cmp call.

    `value`: the token text of a leaf, the operators of a chain (one fewer than its operands),
    the operator of a comparison, the upper-case name of a function."""

    kind: str
    value: object = None
    args: list[Node] = field(default_factory=list)
    start: int = 0  # the tokens it spans: tokens[start:end]
    end: int = 0


@dataclass
class Formula:
    text: str
    tokens: list[Token]
    root: Node

    def source(self, node: Node) -> str:
        """The student's text of a part of the formula (tokens joined, spaces dropped)."""
        return "".join(t.value for t in self.tokens[node.start : node.end])


def parse(text: str) -> Formula:
    """The tree of a formula (`=` included), or SyntaxProblem saying why not in a few words."""
    if len(text) > MAX_LENGTH:
        raise SyntaxProblem("#VALUE!", f"longer than Excel's {MAX_LENGTH:,} characters")
    try:
        tokens = [t for t in Tokenizer(text).items if t.type != Token.WSPACE]
    except Exception as e:  # noqa: BLE001 - the tokenizer's complaints about malformed text
        raise SyntaxProblem("#VALUE!", f"cannot parse {short(text)}: {short(str(e))}") from None
    parser = _Parser(tokens)
    root = parser.expr(0)
    if parser.pos != len(tokens):
        raise SyntaxProblem("#VALUE!", f"cannot parse {short(text)}")
    return Formula(text, tokens, root)


class _Parser:
    """Precedence climbing over the tokens, building Nodes."""

    def __init__(self, tokens: list[Token]):
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise SyntaxProblem("#VALUE!", "formula ends too early")
        self.pos += 1
        return tok

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SyntaxProblem("#VALUE!", f"nested more than {MAX_DEPTH} levels deep")

    def expr(self, min_prec: int) -> Node:
        start, nested = self.pos, 0
        left = self.unary()
        while (tok := self.peek()) is not None and tok.type == Token.OP_IN and \
                tok.value in PREC and PREC[tok.value] >= min_prec:
            self.pos += 1
            op, prec = tok.value, PREC[tok.value]
            right = self.expr(prec + 1)
            if op in ARITH and left.kind == "chain" and left.start == start and \
                    PREC[left.value[0]] == prec:
                left.value.append(op)
                left.args.append(right)
            elif op == "&" and left.kind == "cat" and left.start == start:
                left.args.append(right)
            elif op in ARITH:
                left = Node("chain", [op], [left, right])
            elif op == "&":
                left = Node("cat", None, [left, right])
            else:
                self.enter()
                nested += 1
                left = Node("pow" if op == "^" else "cmp", op, [left, right])
            left.start, left.end = start, self.pos
        self.depth -= nested
        if (tok := self.peek()) is not None and tok.type == Token.OP_IN and tok.value not in PREC:
            if tok.value == ",":
                raise SyntaxProblem(UNSUPPORTED, "the union operator (A1,B1)")
            raise SyntaxProblem("#VALUE!", f"operator {short(tok.value)} is not supported")
        return left

    def unary(self) -> Node:
        start, tok = self.pos, self.peek()
        if tok is not None and tok.type == Token.OP_PRE:
            self.pos += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Node("neg" if tok.value == "-" else "paren", tok.value, [operand], start,
                        self.pos)
        node = self.primary()
        while (tok := self.peek()) is not None and tok.type == Token.OP_POST:  # x% is x/100
            self.pos += 1
            node = Node("pct", None, [node], start, self.pos)
        return node

    def primary(self) -> Node:
        start, tok = self.pos, self.next()
        if tok.type == Token.OPERAND:
            kinds = {Token.NUMBER: "number", Token.TEXT: "text", Token.LOGICAL: "bool",
                     Token.ERROR: "error"}
            return Node(kinds.get(tok.subtype, "operand"), tok.value, [], start, self.pos)
        if tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            self.enter()
            inner = self.expr(0)
            self.close(Token.PAREN)
            self.depth -= 1
            return Node("paren", "(", [inner], start, self.pos)
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            self.enter()
            args = self.arguments(tok.value[:-1])
            self.depth -= 1
            return Node("call", _function_name(tok.value[:-1]), args, start, self.pos)
        if tok.type == Token.ARRAY and tok.subtype == Token.OPEN and self.array_constant():
            raise SyntaxProblem(UNSUPPORTED, "an array constant {...}")
        raise SyntaxProblem("#VALUE!", f"unexpected {short(tok.value)}")

    def array_constant(self) -> bool:
        """Whether the tokens after a `{` are a well-formed array constant ({1,2;3,4}): valid
        Excel the engine does not evaluate, where `{w1[+1]}` is text that is no formula."""
        constants = (Token.NUMBER, Token.TEXT, Token.LOGICAL, Token.ERROR)
        for tok in self.tokens[self.pos:]:
            if tok.type == Token.ARRAY and tok.subtype == Token.CLOSE:
                return True
            if not (tok.type == Token.OPERAND and tok.subtype in constants
                    or tok.type == Token.SEP or tok.type == Token.OP_PRE):
                return False
        return False

    def close(self, kind: str) -> None:
        tok = self.next()
        if tok.type != kind or tok.subtype != Token.CLOSE:
            raise SyntaxProblem("#VALUE!", f"expected ')' but found {short(tok.value)}")

    def arguments(self, name: str) -> list[Node]:
        args: list[Node] = []
        if (tok := self.peek()) is not None and tok.type == Token.FUNC and \
                tok.subtype == Token.CLOSE:
            self.pos += 1
            return args
        while True:
            tok = self.peek()
            if tok is not None and tok.type == Token.SEP and tok.subtype == Token.ARG:
                args.append(Node("omitted", None, [], self.pos, self.pos))  # IF(x,,1)
            else:
                args.append(self.expr(0))
            tok = self.next()
            if tok.type == Token.SEP and tok.subtype == Token.ARG:
                continue
            if tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                return args
            raise SyntaxProblem("#VALUE!", f"unexpected {short(tok.value)} in {short(name)}(...)")


def _function_name(name: str) -> str:
    upper = name.upper()
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        upper = upper.removeprefix(prefix)
    return upper
