"""The asset selection string syntax, one parser for the Python API, the CLI and the UI.

    expr   := term (("or" | ",") term)*          term := factor ("and" factor)*
    factor := "not" factor | walk                 walk := [N]"+" | "*"  primary  "+"[N] | "*"
(``N+``/``+N``: N layers; a bare ``+`` is every layer, except around a bare key, where each
``+`` is one layer as in Dagster's older syntax: ``+c+``, ``++c``)
    primary:= "(" expr ")" | roots(expr) | sinks(expr) | attr ":" value | key
attr is key, group, tag, owner, kind; values may be quoted; in ``key:`` values ``*`` is a
wildcard; a bare key may end in ``+``/``*`` (downstream) as in Dagster's older syntax.
"""

from __future__ import annotations

import re

from headwater.definitions.errors import InvalidSubsetError
from headwater.definitions.selection import AssetSelection, _KeyPattern

_TOKEN = re.compile(r"""\s*(?:
    (?P<lp>\() | (?P<rp>\))(?P<rpdown>\s*\+\d*(?=[\s()]|$))? | (?P<comma>,) |
    (?P<up>\d+\s*\+\s*(?=[\w"(])|(?:\++|\*)(?=[\w"(])) |
    (?P<attr>[A-Za-z_]+):(?P<aval>"[^"]*"|[^\s()",+]+)(?P<adown>\s*\++\d*)?(?=[\s(),]|$) |
    (?P<word>"[^"]*"|[\w./\-]+)(?P<down>\++\d*|\+\d+|\*)? |
    (?P<star>\*)
)""", re.VERBOSE)

_ATTRS = {"key", "group", "tag", "owner", "kind"}


def _tokenize(text: str) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise InvalidSubsetError(
                f"Invalid asset selection {text!r}: cannot parse at {text[pos:]!r}. "
                'Examples: "my_asset", "*my_asset", "my_asset+", "group:raw", "key:\\"a/b\\"", '
                '"tag:team=data and not kind:dbt".')
        pos = m.end()
        if m.group("lp"):
            tokens.append(("(", None))
        elif m.group("rp"):
            tokens.append((")", None))
            if m.group("rpdown"):
                tokens.append(("down", _depth(m.group("rpdown"), leading=False)))
        elif m.group("comma"):
            tokens.append(("or", None))
        elif m.group("star"):
            tokens.append(("key", "*"))
        elif m.group("up"):
            tokens.append(("up", _depth(m.group("up"), leading=True)))
        elif m.group("attr"):
            attr = m.group("attr").lower()
            if attr not in _ATTRS:
                raise InvalidSubsetError(
                    f"Invalid asset selection {text!r}: unknown attribute {attr!r}; use one of "
                    f"{sorted(_ATTRS)}")
            tokens.append(("attr", (attr, m.group("aval").strip('"'))))
            if m.group("adown"):
                tokens.append(("down", _depth(m.group("adown"), leading=False)))
        else:
            word = m.group("word")
            low = word.lower()
            if low in ("and", "or", "not") and not word.startswith('"'):
                tokens.append((low, None))
            elif low in ("roots", "sinks") and text[m.end():].lstrip().startswith("("):
                tokens.append(("func", low))
            else:
                tokens.append(("key", word.strip('"')))
            if m.group("down"):
                tokens.append(("down", _depth(m.group("down"), leading=False)))
    return tokens


# A depth written as plain pluses: one layer per "+" after or before a bare key (Dagster's
# older syntax: "+c", "c++"), every layer after or before anything else ("+key:c", "group:g+",
# "(...)+"), as Dagster's attribute syntax reads it. Digits ("2+key:c", "key:c+1") are exact.
_Plus = tuple[str, int]
Depth = int | None | _Plus


def _depth(op: str, leading: bool) -> Depth:
    op = "".join(op.split())
    if op == "*":
        return None
    if leading:
        return int(op[:-1]) if op[0].isdigit() else ("plus", len(op))
    if op.startswith("+") and op[1:].isdigit():
        return int(op[1:])
    return ("plus", len(op))


def _layers(depth: Depth, bare_key: bool) -> int | None:
    if isinstance(depth, tuple):
        return depth[1] if bare_key else None
    return depth


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def fail(self, why: str) -> InvalidSubsetError:
        return InvalidSubsetError(f"Invalid asset selection {self.text!r}: {why}")

    def parse(self) -> AssetSelection:
        if not self.tokens:
            raise self.fail("it is empty")
        sel = self.expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.tokens[self.pos][0]!r}")
        return sel

    def expr(self) -> AssetSelection:
        sel = self.term()
        while self.peek() == "or":
            self.take()
            sel = sel | self.term()
        return sel

    def term(self) -> AssetSelection:
        sel = self.factor()
        while self.peek() == "and":
            self.take()
            sel = sel & self.factor()
        return sel

    def factor(self) -> AssetSelection:
        if self.peek() == "not":
            self.take()
            return AssetSelection.all() - self.factor()
        up: Depth | bool = False
        if self.peek() == "up":
            up = self.take()[1]  # type: ignore[assignment]
        bare_key = self.peek() == "key"  # Dagster's older syntax: one layer per "+"
        sel = self.primary()
        if up is not False:
            sel = sel.upstream(depth=_layers(up, bare_key))  # type: ignore[arg-type]
        if self.peek() == "down":
            sel = sel.downstream(depth=_layers(self.take()[1], bare_key))  # type: ignore[arg-type]
        return sel

    def primary(self) -> AssetSelection:
        kind = self.peek()
        if kind is None:
            raise self.fail("it ends where an asset was expected")
        tok, value = self.take()
        if tok == "(":
            sel = self.expr()
            if self.peek() != ")":
                raise self.fail("a '(' is not closed")
            self.take()
            return sel
        if tok == "func":
            if self.peek() != "(":
                raise self.fail(f"{value}() needs parentheses")
            inner = self.primary()
            return inner.roots() if value == "roots" else inner.sinks()
        if tok == "attr":
            pair: tuple[str, str] = value  # type: ignore[assignment]
            attr, val = pair
            if attr == "key":
                return _KeyPattern(val)
            if attr == "group":
                return AssetSelection.groups(val)
            if attr == "tag":
                return AssetSelection.tag_string(val)
            if attr == "owner":
                return AssetSelection.owner(val)
            return AssetSelection.kind(val)
        if tok == "key":
            if value == "*":
                return AssetSelection.all()
            if "*" not in str(value):  # a plain key: Dagster's KeysAssetSelection, equal to it
                return AssetSelection.keys(str(value))
            return _KeyPattern(str(value))
        raise self.fail(f"unexpected {tok!r}")


def parse_selection(text: str) -> AssetSelection:
    text = text.strip()
    if text == "*":
        return AssetSelection.all()
    return _Parser(text).parse()
