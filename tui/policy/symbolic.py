"""A policy as a z3 formula over one symbolic request, Zelkova-style, so questions get proofs, not samples.

The request is an action, a resource and one variable per condition key (present or not, one value or, for
multivalued keys, a few). Statements are encoded with the semantics of `tui.policy.evaluator`, read through
the same statement reader and operator table, so a witness the solver finds replays there to the same
decision; `tui.policy.analysis` replays every witness and calls a mismatch `unproven`.

Abstraction keeps real policies far from the solver's limits: a key compared only by exact equality (the
trusted-account lists that make a policy 20 KB) becomes an integer index into the literals the policy and the
question mention, plus one index for "any other value"; only keys compared by wildcards, ARNs, case-folding,
variables or identity links stay strings. A wildcard pattern that holds a policy variable is the variable's
value joined with a fresh string per wildcard part (exact where the pattern must match; elsewhere the solver
may only add requests). What the encoding cannot express (an unknown operator, an unreadable block) becomes a
free boolean: the solver may pick either side, and a witness that relies on it fails the replay, so the
verdict says "unproven".
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction

import z3

from tui.policy.evaluator import network, number_of, session_globs, timestamp
from tui.policy.operators import Comparison, Operator, SetQualifier, ValueKind
from tui.policy.requestmodel import ANONYMOUS, FINITE_DOMAINS, KEY_DOMAINS, MULTIVALUED_KEYS, fresh_value
from tui.policy.statements import Clause, Effect, Principal, ReadPolicy, Session, Statement
from tui.policy.variables import Literal, Part, Variable, as_glob, has_variables
from tui.policy.wildcards import ANY_ONE, Glob, Segment, has_wildcard, wildcard_match

_PER_CONTEXT: dict[str, object] = {}
"""Terms built once per z3 context (each analysis gets a fresh one, see `fresh_context`)."""
_GLOB_LANGUAGES: dict[tuple[tuple[Glob, ...], bool], z3.ReRef] = {}
"""`in_any_glob`'s languages, per context likewise: questions ask about the same pattern lists again."""


def fresh_context() -> None:
    """Make the next terms live in a new z3 context. z3's search depends on what a context has seen
    before, so a verdict reached after other analyses could differ from a fresh one; with a context of its
    own, an analysis is the same in every process and on every machine."""
    z3.z3._main_ctx = None
    _PER_CONTEXT.clear()
    _GLOB_LANGUAGES.clear()


def _any_char() -> z3.ReRef:
    if "any" not in _PER_CONTEXT:
        _PER_CONTEXT["any"] = z3.AllChar(z3.ReSort(z3.StringSort()))
    return _PER_CONTEXT["any"]
_IPV6_OFFSET = 1 << 32


def sval(text: str) -> z3.SeqRef:
    """A z3 string literal. z3 reads `\\u{...}` escapes inside literals and cannot take lone surrogates
    as Python text, so everything but printable ASCII is written as an escape (backslash included)."""
    if text.isascii() and text.isprintable() and "\\" not in text:
        return z3.StringVal(text)
    return z3.StringVal("".join(c if " " <= c <= "~" and c != "\\" else f"\\u{{{ord(c):x}}}" for c in text))


_Z3_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}")


def python_string(value: z3.SeqRef) -> str:
    """A model's string value as Python text (z3 prints non-printable characters as `\\u{...}`)."""
    return _Z3_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value.as_string())


def _char_re(character: str, ignore_case: bool) -> z3.ReRef:
    if ignore_case and character.lower() != character.upper() and len(character.upper()) == 1:
        return z3.Union(z3.Re(sval(character.lower())), z3.Re(sval(character.upper())))
    return z3.Re(sval(character))


def _segment_re(segment: Segment, ignore_case: bool) -> z3.ReRef | None:
    if not segment:
        return None
    if not ignore_case and (isinstance(segment, str) or ANY_ONE not in segment):
        return z3.Re(sval(segment if isinstance(segment, str) else "".join(c or "" for c in segment)))
    items = [_any_char() if c is ANY_ONE else _char_re(c, ignore_case) for c in segment]
    return items[0] if len(items) == 1 else z3.Concat(*items)


def glob_re(pattern: Glob, ignore_case: bool = False, any_char: z3.ReRef | None = None) -> z3.ReRef:
    """The regular language of an IAM wildcard pattern (`*` as any run of `any_char`)."""
    any_char = any_char if any_char is not None else _any_char()
    pieces: list[z3.ReRef] = []
    for index, segment in enumerate(pattern.segments):
        if index:
            pieces.append(z3.Star(any_char))
        segment_re = _segment_re(segment, ignore_case)
        if segment_re is not None:
            pieces.append(segment_re)
    if not pieces:
        return z3.Re(sval(""))
    return pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)


def union_re(languages: list[z3.ReRef]) -> z3.ReRef | None:
    """One regex for several: z3 decides `InRe(x, Union(...))` far faster than an `Or` of `InRe`s."""
    if not languages:
        return None
    return languages[0] if len(languages) == 1 else z3.Union(*languages)


def in_any_glob(value: z3.SeqRef, patterns: Iterable[Glob], ignore_case: bool = False) -> z3.BoolRef:
    """Whether the value matches one of the wildcard patterns."""
    patterns = tuple(dict.fromkeys(patterns))
    if not patterns:
        return z3.BoolVal(False)
    if (patterns, ignore_case) not in _GLOB_LANGUAGES:
        _GLOB_LANGUAGES[patterns, ignore_case] = globs_re(patterns, ignore_case)
    return z3.InRe(value, _GLOB_LANGUAGES[patterns, ignore_case])


def globs_re(patterns: Iterable[Glob], ignore_case: bool = False) -> z3.ReRef:
    """The union of the patterns' languages with their common leading text factored out, as a trie.

    The same language as a flat `Union`, but z3 decides membership in a flat union of n literal-led
    patterns in time that grows with about n^3 (50 catalog bucket ARNs: 260 ms to reject one concrete ARN,
    the bulk of an audit), and in the trie at once: the first character that differs ends the search."""
    led: list[tuple[str, z3.ReRef]] = []
    for pattern in patterns:
        head = pattern.segments[0]
        if isinstance(head, str) and head:
            rest = Glob(("", *pattern.segments[1:])) if len(pattern.segments) > 1 else None
            led.append((head, glob_re(rest, ignore_case) if rest else z3.Re(sval(""))))
        else:
            led.append(("", glob_re(pattern, ignore_case)))
    return _trie(led, ignore_case)


def _trie(items: list[tuple[str, z3.ReRef]], ignore_case: bool) -> z3.ReRef:
    """Items are (leading text, the language after it); those with no text left end at this node."""
    alternatives = [rest for text, rest in items if not text]
    groups: dict[str, list[tuple[str, z3.ReRef]]] = {}
    for text, rest in items:
        if text:
            groups.setdefault(text[0], []).append((text, rest))
    for group in groups.values():
        shared = _common_prefix([text for text, _ in group])
        below = _trie([(text[len(shared):], rest) for text, rest in group], ignore_case)
        alternatives.append(z3.Concat(literal_re(shared, ignore_case), below))
    return alternatives[0] if len(alternatives) == 1 else z3.Union(*alternatives)


def _common_prefix(texts: list[str]) -> str:
    first, last = min(texts), max(texts)
    length = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last)))
    return first[:length]


def literal_re(text: str, ignore_case: bool) -> z3.ReRef:
    """A language of exactly `text` (case-folded when asked); `*` and `?` in it are plain characters."""
    return glob_re(Glob((tuple(text),)), ignore_case)


def _not_colon() -> z3.ReRef:
    return z3.Diff(_any_char(), z3.Re(sval(":")))


def _six_fields() -> z3.ReRef:
    return z3.Concat(*[z3.Concat(z3.Star(_not_colon()), z3.Re(sval(":"))) for _ in range(5)], z3.Star(_any_char()))


def arn_re_holds(value: z3.SeqRef, pattern: str) -> z3.BoolRef:
    """ArnLike as the evaluator reads it: field by field when both sides have six fields, else whole."""
    whole = z3.InRe(value, glob_re(as_glob((pattern,))))
    fields = pattern.split(":", 5)
    if len(fields) != 6:
        return whole
    pieces = []
    for index, text in enumerate(fields):
        if index:
            pieces.append(z3.Re(sval(":")))
        pieces.append(glob_re(as_glob((text,)), any_char=_not_colon() if index < 5 else _any_char()))
    by_fields = z3.InRe(value, z3.Concat(*pieces))
    return z3.If(z3.InRe(value, _six_fields()), by_fields, whole)


# --- keys ------------------------------------------------------------------------------------------------


@dataclass
class KeyUse:
    """How the policy and the question use one key; decides how it is represented."""

    exact_only: bool = True
    clauses: int = 0
    numeric: bool = False
    date: bool = False
    ip: bool = False
    literals: set[str] = field(default_factory=set)


MAX_VALUES = 16
"""Value slots of a multivalued key. A request that meets some clauses and fails others needs at most one
value per clause that mentions the key (a ForAnyValue clause that holds, a ForAllValues clause that fails,
each needs one value; the rest only constrain every value), so one slot per clause loses no request. A key
in more clauses than this is not modelled in full, and the analysis says "unproven" rather than guess.
"""


class Key:
    """One condition key of the symbolic request: `present`, and up to `slots` values (1 if single-valued).

    Each slot has a string view (a z3 string, or an index into `literals` for exact-only keys) and, when the
    policy compares the key numerically, as a date or as an IP address, a number view of its own.
    """

    def __init__(self, name: str, use: KeyUse, multivalued: bool):
        self.name = name
        self.exact_only = use.exact_only
        self.literals = sorted(use.literals)
        self.index_of = {text: i for i, text in enumerate(self.literals)}
        self.other = len(self.literals)
        slots = max(1, min(MAX_VALUES, use.clauses)) if multivalued else 1
        self.truncated = multivalued and use.clauses > MAX_VALUES
        """Whether a request could need more values than the slots hold (the analysis is then unproven)."""
        self.multivalued = multivalued
        label = name.encode("ascii", "backslashreplace").decode()  # z3 names must be encodable text
        self.present = z3.Bool(f"present[{label}]")
        self._one_of: dict[tuple[str, ...], z3.BoolRef] = {}
        self.used = [z3.BoolVal(True)] if not multivalued else [z3.Bool(f"used[{label}][{i}]") for i in range(slots)]
        make: Callable[[int], z3.ExprRef] = (lambda i: z3.Int(f"{label}#{i}")) if self.exact_only else (lambda i: z3.String(f"{label}#{i}"))
        self.strings = [make(i) for i in range(slots)]
        self.numbers = [z3.Real(f"{label}#num{i}") for i in range(slots)] if use.numeric else []
        self.dates = [z3.Int(f"{label}#date{i}") for i in range(slots)] if use.date else []
        self.ips = [z3.Int(f"{label}#ip{i}") for i in range(slots)] if use.ip else []

    def domain(self) -> list[z3.BoolRef]:
        """Values a request can really carry: indices in range, known formats, well-formed IPs."""
        constraints = []
        domain = KEY_DOMAINS.get(self.name)
        for slot in self.strings:
            if self.exact_only:
                allowed = [i for i, text in enumerate(self.literals) if domain is None or domain.fullmatch(text)]
                finite = self.name in FINITE_DOMAINS
                choices = [slot == i for i in allowed] + ([] if finite else [slot == self.other])
                constraints.append(z3.Or(choices) if choices else z3.BoolVal(False))
            elif domain is not None:
                constraints.append(in_domain(slot, self.name))
        constraints += [z3.And(ip >= 0, ip < _IPV6_OFFSET + (1 << 128)) for ip in self.ips]
        return constraints

    def slots(self) -> list[tuple[z3.BoolRef, int]]:
        return [(used, index) for index, used in enumerate(self.used)]

    def equals(self, index: int, text: str) -> z3.BoolRef:
        """Slot `index` holds exactly `text`."""
        slot = self.strings[index]
        if self.exact_only:
            position = self.index_of.get(text)
            return _int_equals(slot, position) if position is not None else z3.BoolVal(False)
        return slot == sval(text)

    def is_value(self, text: str) -> z3.BoolRef:
        """The key is present with `text` among its values."""
        return self.one_of((text,))

    def one_of(self, texts: Iterable[str]) -> z3.BoolRef:
        """The key is present with one of `texts` among its values (built once per set: trusted-account
        lists run to 1,300 values and are asked about in several questions)."""
        texts = tuple(texts)
        if texts not in self._one_of:
            self._one_of[texts] = self._build_one_of(texts)
        return self._one_of[texts]

    def _build_one_of(self, texts: tuple[str, ...]) -> z3.BoolRef:
        if not texts:
            return z3.BoolVal(False)
        if not self.multivalued:
            return z3.And(self.present, _any(self.equals(0, text) for text in texts))
        return z3.And(self.present, z3.Or([z3.And(used, _any(self.equals(i, text) for text in texts)) for used, i in self.slots()]))

    def single(self) -> z3.BoolRef:
        """Present with exactly one value: only then can a policy variable take it."""
        if not self.multivalued:
            return self.present
        used = [z3.If(u, 1, 0) for u in self.used]
        return z3.And(self.present, z3.Sum(used) == 1)

    def single_string(self) -> z3.ExprRef:
        """The one value as a z3 string (for keys that are not exact-only)."""
        if not self.multivalued:
            return self.strings[0]
        value = self.strings[-1]
        for used, slot in zip(self.used[:-1], self.strings[:-1], strict=True):
            value = z3.If(used, slot, value)
        return value

    def witness_value(self, model: z3.ModelRef, taken: set[str]) -> str | list[str] | None:
        if not z3.is_true(model.eval(self.present, model_completion=True)):
            return None
        values = [self._slot_text(model, i, taken) for used, i in self.slots()
                  if z3.is_true(model.eval(used, model_completion=True))]
        if not self.multivalued:
            return values[0]
        return values

    def _slot_text(self, model: z3.ModelRef, index: int, taken: set[str]) -> str:
        if self.numbers:
            return _number_text(model.eval(self.numbers[index], model_completion=True))
        if self.dates:
            seconds = model.eval(self.dates[index], model_completion=True).as_long()
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.ips:
            return _ip_text(model.eval(self.ips[index], model_completion=True).as_long())
        value = model.eval(self.strings[index], model_completion=True)
        if not self.exact_only:
            return python_string(value)
        position = value.as_long()
        if position < len(self.literals):
            return str(self.literals[position])
        fresh = fresh_value(self.name, taken | set(self.literals))
        taken.add(fresh)
        return fresh


def _any(items: Iterable[z3.BoolRef]) -> z3.BoolRef:
    items = list(items)
    return items[0] if len(items) == 1 else z3.Or(items) if items else z3.BoolVal(False)


def _int_equals(variable: z3.ArithRef, value: int) -> z3.BoolRef:
    """`variable == value` through the C API: the Python operator costs ~50 us, and lists run to 1,300."""
    ctx = variable.ctx
    return z3.BoolRef(z3.Z3_mk_eq(ctx.ref(), variable.as_ast(), z3.Z3_mk_int(ctx.ref(), value, z3.IntSort(ctx).ast)), ctx)


def _number_text(value: z3.ArithRef) -> str:
    fraction = Fraction(value.as_fraction()) if z3.is_rational_value(value) else Fraction(0)
    return str(fraction.numerator) if fraction.denominator == 1 else repr(float(fraction))


def _ip_text(number: int) -> str:
    if number < _IPV6_OFFSET:
        return str(ipaddress.IPv4Address(number))
    return str(ipaddress.IPv6Address(number - _IPV6_OFFSET))


def in_domain(value: z3.SeqRef, name: str) -> z3.BoolRef:
    """The value has the key's format (12 digits for accounts, o-... for orgs, listed values).

    A run of a fixed character class is written as a length bound plus `class*` rather than z3's bounded
    loop: next to "not this account" and an ArnLike pattern, `[0-9]{12}` as a loop leaves z3 answering
    unknown, where the length form is decided at once. Same language, by construction (one run per
    alternative)."""
    alternatives = []
    for alternative in KEY_DOMAINS[name].pattern.split("|"):
        pieces, low, high, runs = [], 0, 0, 0
        for literal, klass, run_low, run_high in re.findall(r"([^\[]+)|\[([^\]]+)\]\{([0-9]+)(?:,([0-9]+))?\}", alternative):
            if literal:
                pieces.append(z3.Re(sval(literal)))
                low, high = low + len(literal), high + len(literal)
                continue
            runs += 1
            pieces.append(z3.Star(_char_class(klass)))
            low, high = low + int(run_low), high + int(run_high or run_low)
        if runs == 0:
            alternatives.append(value == sval(alternative))
            continue
        language = pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)
        bounded = [z3.Length(value) >= low, z3.Length(value) <= high] if runs == 1 else []
        exact = language if runs == 1 else _regex_from_python(alternative)
        alternatives.append(z3.And(z3.InRe(value, exact), *bounded))
    return alternatives[0] if len(alternatives) == 1 else z3.Or(alternatives)


def _char_class(klass: str) -> z3.ReRef:
    ranges = [z3.Range(a, b) for a, b in re.findall(r"(.)-(.)", klass)]
    singles = [z3.Re(sval(c)) for c in re.sub(r".-.", "", klass)]
    members = ranges + singles
    return members[0] if len(members) == 1 else z3.Union(*members)


def _regex_from_python(pattern: str) -> z3.ReRef:
    """The few regex shapes KEY_DOMAINS uses: alternations of literals and `[class]{m,n}` runs."""
    alternatives = []
    for alternative in pattern.split("|"):
        pieces = []
        for literal, klass, low, high in re.findall(r"([^\[]+)|\[([^\]]+)\]\{([0-9]+)(?:,([0-9]+))?\}", alternative):
            if literal:
                pieces.append(z3.Re(sval(literal)))
                continue
            pieces.append(z3.Loop(_char_class(klass), int(low), int(high or low)))
        alternatives.append(pieces[0] if len(pieces) == 1 else z3.Concat(*pieces))
    return alternatives[0] if len(alternatives) == 1 else z3.Union(*alternatives)


# --- the policy as a formula -----------------------------------------------------------------------------


def _key_uses(policy: ReadPolicy, extra_literals: dict[str, set[str]]) -> dict[str, KeyUse]:
    """Every key the policy or the question mentions, with how it is compared."""
    uses: dict[str, KeyUse] = {}

    def use(name: str) -> KeyUse:
        return uses.setdefault(name, KeyUse())

    for statement in policy.statements:
        for clause in statement.clauses:
            if not clause.key:
                continue
            key_use = use(clause.key)
            key_use.clauses += 1
            _note_clause(key_use, clause, use)
        if statement.principal is not None:
            _note_principal(statement.principal, statement.principal_negated, use)
        if statement.resource is not None:
            for parts in statement.resource_parts:
                for part in parts:
                    if isinstance(part, Variable) and part.key:
                        use(part.key).exact_only = False
    for name, literals in extra_literals.items():
        use(name).literals.update(literals)
    return uses


def _note_principal(principal: Principal, negated: bool, use: Callable[[str], KeyUse]) -> None:
    """The identity keys a Principal or NotPrincipal element reads, and the literals it names."""
    use("aws:principalaccount").literals.update(principal.accounts)
    use("aws:principalarn").literals.update(principal.arns)
    if principal.services:
        use("aws:principalservicename").literals.update(principal.services)
    if principal.federated:
        use("aws:principalaccount").literals.add(ANONYMOUS)
    if negated:  # NotPrincipal reads every level of the caller (`_every_level`)
        use("aws:principalaccount").literals.add(ANONYMOUS)
        use("aws:principalarn").exact_only = False
        use("aws:principalservicename").literals.update(principal.services)
    for session in principal.sessions:
        use("aws:principalaccount").literals.add(session.account)
        use("aws:principalarn").exact_only = False
        use("aws:userid").exact_only = False


def _note_clause(key_use: KeyUse, clause: Clause, use: Callable[[str], KeyUse]) -> None:
    operator = clause.operator
    if operator is None:
        return
    kind, comparison = operator.base.kind, operator.base.comparison
    if kind is ValueKind.NUMERIC:
        key_use.numeric = True
    elif kind is ValueKind.DATE:
        key_use.date = True
    elif kind is ValueKind.IP:
        key_use.ip = True
    exact = kind in (ValueKind.STRING, ValueKind.BINARY, ValueKind.NULL) and comparison in (Comparison.EQUALS, Comparison.IS_ABSENT) and not operator.base.ignore_case
    if not exact or clause.parts is not None:
        key_use.exact_only = False
    if kind in (ValueKind.STRING, ValueKind.BINARY) and comparison is Comparison.EQUALS and clause.parts is None:
        key_use.literals.update(clause.values)
    for parts in clause.parts or ():
        for part in parts:
            if isinstance(part, Variable) and part.key:
                use(part.key).exact_only = False


class PolicyFormula:
    """The request variables and the policy's decision over them."""

    def __init__(self, policy: ReadPolicy, extra_literals: dict[str, set[str]] | None = None,
                 extra_keys: Iterable[str] = (), linked: Iterable[str] = (), arn_partition: str | None = None,
                 federated_caller: bool = False):
        self.policy = policy
        self.action = z3.String("action")
        self.resource = z3.String("resource")
        uses = _key_uses(policy, extra_literals or {})
        for name in extra_keys:
            uses.setdefault(name, KeyUse())
        for name in set(linked) | FINITE_DOMAINS:  # compared as strings: no "any other value" class
            if name in uses:
                uses[name].exact_only = False
        self.keys = {name: Key(name, use, _multivalued(name, policy)) for name, use in uses.items()}
        self.arn_service: z3.SeqRef | None = None
        """aws:PrincipalArn's service field (`iam`, or `sts` for a federated user's session) when the policy
        can tell the two apart (`federated_user_arns_matter`) or the caller asked about is a federated user;
        None: the model writes the IAM form only. A string, not an If over two prefixes: z3 decides the word
        equations next to ArnLike far faster."""
        if arn_partition is not None and (federated_caller or federated_user_arns_matter(policy, arn_partition)):
            self.arn_service = z3.String("aws:principalarn#service")
        self.arn_rest = self._shape_principal_arn(arn_partition) if arn_partition is not None else None
        self.unknowns: list[z3.BoolRef] = []
        self.who: dict[int, z3.BoolRef] = {}
        self._patterns: list[z3.SeqRef] = []
        """Per statement (by index), its principal and conditions without its action and resource: a
        weaker formula, for refuting "can this statement apply to X" cheaply."""
        self._readings: list[z3.BoolRef] = []
        self._building: Effect | None = None
        self.denies = [self._applies(s) for s in policy.statements if s.effect is Effect.DENY]
        self.allowing = [(s, self._applies(s)) for s in policy.statements if s.effect is Effect.ALLOW]
        """Each Allow statement with the formula of "it applies", for questions asked statement by statement."""
        self.allows = [formula for _, formula in self.allowing]

    def key(self, name: str) -> Key:
        return self.keys[name]

    def arn_head(self, partition: str) -> z3.SeqRef:
        """`arn:P:iam::`, or `arn:P:sts::` for a federated user when the policy can tell the two apart."""
        if self.arn_service is None:
            return sval(f"arn:{partition}:iam::")
        return z3.Concat(sval(f"arn:{partition}:"), self.arn_service, sval("::"))

    def _shape_principal_arn(self, partition: str) -> z3.SeqRef | None:
        """aws:PrincipalArn written as `arn_head + account + ":" + rest` rather than a free string tied to the
        account by an equation: the same requests (the arn is only read when present, and then names the
        account), but z3 no longer has to solve a word equation next to every ArnLike pattern."""
        arn, account = self.keys.get("aws:principalarn"), self.keys.get("aws:principalaccount")
        if arn is None or account is None or arn.exact_only or account.exact_only or arn.multivalued or account.multivalued:
            return None
        rest = z3.String("aws:principalarn#rest")
        arn.strings[0] = z3.Concat(self.arn_head(partition), account.strings[0], sval(":"), rest)
        return rest

    @property
    def allowed(self) -> z3.BoolRef:
        return z3.And(z3.Not(z3.Or(self.denies)) if self.denies else z3.BoolVal(True), z3.Or(self.allows) if self.allows else z3.BoolVal(False))

    @property
    def explicitly_denied(self) -> z3.BoolRef:
        return z3.Or(self.denies) if self.denies else z3.BoolVal(False)

    def domain(self) -> list[z3.BoolRef]:
        return [constraint for key in self.keys.values() for constraint in key.domain()]

    @property
    def evaluator_reading(self) -> z3.BoolRef:
        """Every undecided part read the way the evaluator reads an undecidable condition: false in an Allow,
        true in a Deny. A witness found under it usually replays, where the solver left free would often
        pick the other side and end in "unproven"."""
        return z3.And(self._readings) if self._readings else z3.BoolVal(True)

    def _unknown(self) -> z3.BoolRef:
        flag = z3.Bool(f"unknown#{len(self.unknowns)}")
        self.unknowns.append(flag)
        self._readings.append(flag if self._building is Effect.DENY else z3.Not(flag))
        return flag

    def _applies(self, statement: Statement) -> z3.BoolRef:
        self._building = statement.effect
        who = [self._principal(statement), *(self._clause(clause) for clause in statement.clauses)]
        self.who[statement.index] = z3.And(who)
        return z3.And([self._action(statement), self._resource(statement), *who])

    def _action(self, statement: Statement) -> z3.BoolRef:
        if statement.action is None:
            return z3.BoolVal(False)
        hit = in_any_glob(self.action, [as_glob((p,)) for p in statement.action.patterns], ignore_case=True)
        return z3.Not(hit) if statement.action.negated else hit

    def _resource(self, statement: Statement) -> z3.BoolRef:
        if statement.resource is None:
            return z3.BoolVal(False)
        plain = [as_glob(parts) for parts in statement.resource_parts if not has_variables(parts)]
        matches = [self._resource_variable_pattern(parts) for parts in statement.resource_parts if has_variables(parts)]
        if plain:
            matches.append(in_any_glob(self.resource, plain))
        hit = z3.Or(matches) if matches else z3.BoolVal(False)
        return z3.Not(hit) if statement.resource.negated else hit

    def _resource_variable_pattern(self, parts: tuple[Part, ...]) -> z3.BoolRef:
        expression = self._value_expression(parts)
        if expression is None:
            return self._unknown()
        resolvable, value, wildcards = self._pattern_expression(parts)
        return z3.If(resolvable, z3.And(self.resource == value, *wildcards), z3.BoolVal(False))

    def _principal(self, statement: Statement) -> z3.BoolRef:
        principal = statement.principal
        if principal is None:
            return z3.BoolVal(statement.principal_negated)
        if statement.principal_negated:
            return z3.Not(self._every_level(principal))
        if principal.everyone:
            names = z3.BoolVal(True)
        else:
            names = z3.Or(
                [self.keys["aws:principalaccount"].is_value(a) for a in principal.accounts]
                + [self.keys["aws:principalarn"].is_value(a) for a in principal.arns]
                + [self.keys["aws:principalservicename"].is_value(s) for s in principal.services]
                + [self._session(session) for session in principal.sessions]
                + ([self.keys["aws:principalaccount"].is_value(ANONYMOUS)] if principal.federated else [])
                + [z3.BoolVal(False)]
            )
        return z3.Not(names) if statement.principal_negated else names

    def _every_level(self, principal: Principal) -> z3.BoolRef:
        """The evaluator's `_names_every_level`: whether a NotPrincipal spares the caller."""
        if principal.everyone:
            return z3.BoolVal(True)
        account, arn = self.keys["aws:principalaccount"], self.keys["aws:principalarn"]
        service = self.keys["aws:principalservicename"]
        arn_text = arn.strings[0]
        rest = self.arn_rest
        root, role = ((rest == sval("root"), z3.PrefixOf(sval("role/"), rest)) if rest is not None
                      else (z3.SuffixOf(sval(":root"), arn_text), z3.Contains(arn_text, sval(":role/"))))  # wider: replays decide
        signed = z3.And(
            _any([account.is_value(a) for a in principal.accounts]),
            z3.Or(z3.And(arn.present, root),
                  z3.And(_any([arn.is_value(a) for a in principal.arns]),
                         z3.Or(z3.Not(z3.And(arn.present, role)), _any([self._session(s) for s in principal.sessions])))))
        return z3.If(service.present, _any([service.is_value(s) for s in principal.services]),
                     z3.If(account.is_value(ANONYMOUS), z3.BoolVal(principal.federated), signed))

    def _session(self, session: Session) -> z3.BoolRef:
        """The evaluator's `_is_session`: the session's account, its role under any path, its session name."""
        roles, userid = session_globs(session)
        arn, user = self.keys["aws:principalarn"], self.keys["aws:userid"]
        return z3.And(self.keys["aws:principalaccount"].is_value(session.account),
                      arn.present, in_any_glob(arn.strings[0], roles), user.present, in_any_glob(user.strings[0], [userid]))

    # --- conditions --------------------------------------------------------------------------------------

    def _clause(self, clause: Clause) -> z3.BoolRef:
        operator = clause.operator
        if operator is None:
            return self._unknown()
        key = self.keys[clause.key]
        if operator.base.kind is ValueKind.NULL:
            wants_absent = any(v.lower() == "true" for v in clause.values)
            wants_present = any(v.lower() == "false" for v in clause.values)
            return z3.If(key.present, z3.BoolVal(wants_present), z3.BoolVal(wants_absent))
        value_tests = [self._value_test(operator, clause, key, index) for _, index in key.slots()]
        return self._quantified(operator, key, value_tests)

    def _quantified(self, operator: Operator, key: Key, tests: list[z3.BoolRef]) -> z3.BoolRef:
        """Missing keys: IfExists -> true; ForAllValues -> true; ForAnyValue -> false; negated -> true."""
        used_tests = list(zip(key.used, tests, strict=True))
        if operator.qualifier is SetQualifier.FOR_ALL_VALUES:
            body = z3.And([z3.Implies(used, test) for used, test in used_tests])
            on_missing = z3.BoolVal(True)
            return z3.If(key.present, body, on_missing)
        any_value = z3.Or([z3.And(used, test) for used, test in used_tests])
        any_missing = operator.if_exists if operator.qualifier is SetQualifier.FOR_ANY_VALUE else operator.if_exists or operator.negated
        on_missing = z3.BoolVal(any_missing)
        return z3.If(key.present, any_value, on_missing)

    def _value_test(self, operator: Operator, clause: Clause, key: Key, slot: int) -> z3.BoolRef:
        """Whether slot `slot` matches any policy value (negated: none)."""
        matches = []
        for position, text in enumerate(clause.values):
            parts = clause.parts[position] if clause.parts is not None else None
            matches.append(self._value_matches(operator, key, slot, text, parts))
        hit = z3.Or(matches) if matches else z3.BoolVal(False)
        return z3.Not(hit) if operator.negated else hit

    def _value_matches(self, operator: Operator, key: Key, slot: int, text: str, parts: tuple[Part, ...] | None) -> z3.BoolRef:
        base = operator.base
        kind, comparison = base.kind, base.comparison
        if parts is not None and has_variables(parts):
            return self._variable_value_matches(operator, key, slot, parts)
        if kind is ValueKind.NUMERIC:
            return _compare(key.numbers[slot], _parse_number(text), comparison)
        if kind is ValueKind.DATE:
            moment = timestamp(text)
            return _compare(key.dates[slot], None if moment is None else Fraction(moment), comparison)
        if kind is ValueKind.IP:
            return _in_network(key.ips[slot], text)
        if kind is ValueKind.ARN or comparison is Comparison.LIKE or base.ignore_case:
            return string_matches(key.strings[slot], operator, text, parts)
        return key.equals(slot, text)

    def _variable_value_matches(self, operator: Operator, key: Key, slot: int, parts: tuple[Part, ...]) -> z3.BoolRef:
        """Exact comparisons with a variable compare two request values; anything else is left undecided."""
        expression = self._value_expression(parts)
        base = operator.base
        # StringLike on a value with no wildcard outside its variables is equality: a substituted value
        # matches itself only (`_literal_only` below)
        exact = base.comparison in (Comparison.EQUALS, Comparison.LIKE) and base.kind in (ValueKind.STRING, ValueKind.BINARY) and not base.ignore_case
        if expression is None or not exact or (base.comparison is Comparison.EQUALS and not _literal_only(parts)) or key.exact_only:
            return self._unknown()
        resolvable, value, wildcards = self._pattern_expression(parts)
        return z3.If(resolvable, z3.And(key.strings[slot] == value, *wildcards), self._unknown())

    def _pattern_expression(self, parts: tuple[Part, ...]) -> tuple[z3.BoolRef, z3.SeqRef, list[z3.BoolRef]]:
        """A wildcard pattern that holds variables, as (whether every variable resolves, a z3 string, the
        constraints on it): each plain part with `*` or `?` becomes a fresh string in that part's language, the
        variables their values, escapes their characters. A fresh string is exact where the pattern is asked
        to match; where it is asked not to (a Deny, NotResource), the solver may pick a non-matching one, which
        only adds requests: every witness is replayed, so such a pick ends in "unproven", never in a wrong
        proof. Call only when `_value_expression` resolved (every variable names a key)."""
        expression = self._value_expression(tuple(p if not isinstance(p, str) else Literal("") for p in parts))
        assert expression is not None  # noqa: S101 (the caller checked that every variable names a key)
        resolvable = expression[0]
        pieces: list[z3.SeqRef] = []
        wildcards: list[z3.BoolRef] = []
        for part in parts:
            if isinstance(part, str) and ("*" in part or "?" in part):
                fresh = z3.String(f"pattern#{len(self._patterns)}")
                self._patterns.append(fresh)
                wildcards.append(z3.InRe(fresh, glob_re(as_glob((part,)))))
                pieces.append(fresh)
            elif isinstance(part, str):
                pieces.append(sval(part))
            else:
                pieces.append(self._value_expression((part,))[1])  # type: ignore[index]
        return resolvable, (pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)), wildcards

    def _value_expression(self, parts: tuple[Part, ...]) -> tuple[z3.BoolRef, z3.SeqRef] | None:
        """(whether every variable resolves, the value as a z3 string), or None when a variable names no key."""
        conditions, pieces = [], []
        for part in parts:
            if isinstance(part, Variable):
                if part.key is None:
                    return None
                key = self.keys[part.key]
                single = key.single()
                value = key.single_string()
                if part.default is not None:
                    pieces.append(z3.If(single, value, sval(part.default)))
                else:
                    conditions.append(single)
                    pieces.append(value)
            else:
                pieces.append(sval(part.text if isinstance(part, Literal) else part))
        value = pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)
        return (z3.And(conditions) if conditions else z3.BoolVal(True)), value


def string_matches(value: z3.SeqRef, operator: Operator, text: str, parts: tuple[Part, ...] | None) -> z3.BoolRef:
    """Whether a string value matches one policy value (no variables) under a string, ARN or Bool operator,
    negation aside."""
    base = operator.base
    if base.kind is ValueKind.ARN:
        return arn_re_holds(value, as_glob_text(parts) if parts is not None else text)
    if base.comparison is Comparison.LIKE:
        return z3.InRe(value, glob_re(as_glob(parts) if parts is not None else as_glob((text,))))
    if base.ignore_case:
        return z3.InRe(value, literal_re(text.lower(), ignore_case=True))
    return value == sval(text)


def federated_user_rest_re() -> z3.ReRef:
    """What follows the account in a federated user's aws:PrincipalArn: `federated-user/NAME`, NAME as
    GetFederationToken accepts it (letters, digits and `_+=,.@-`; STS API reference, GetFederationToken)."""
    return z3.Concat(z3.Re(sval("federated-user/")), federated_user_name_re())


def federated_user_name_re() -> z3.ReRef:
    return z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), *(z3.Re(c) for c in "_+=,.@-")))


_UNREAD_KINDS = (ValueKind.NUMERIC, ValueKind.DATE, ValueKind.IP, ValueKind.NULL)
"""Kinds that never read aws:PrincipalArn's text in the encoding (their own number views, or presence)."""
_FEDERATED_NAME = "[A-Za-z0-9_+=,.@-]"
_FEDERATED_HEAD = "federated-user/"


def federated_user_arns_matter(policy: ReadPolicy, partition: str) -> bool:
    """Whether the policy could tell a federated user's aws:PrincipalArn (`arn:P:sts::A:federated-user/N`)
    from its IAM-form twin (`arn:P:iam::A:federated-user/N`), the only form the cheap model writes.

    Conservative: true when anything reads the ARN through a policy variable, or when some value the policy
    compares the ARN with (conditions under any operator, Principal and NotPrincipal ARNs) could match either
    form. Otherwise every value matches neither, so the twin meets every clause, Principal and question the
    original meets, negated or not (docs/policy-model.md, "Federated users")."""
    either = re.compile(rf"arn:{re.escape(partition)}:(?:iam|sts)::[0-9]{{12}}:{_FEDERATED_HEAD}{_FEDERATED_NAME}+")
    for statement in policy.statements:
        if statement.principal is not None and any(either.fullmatch(arn) for arn in statement.principal.arns):
            return True
        if statement.resource is not None and any(_reads_principal_arn(parts) for parts in statement.resource_parts):
            return True
        for clause in statement.clauses:
            if any(_reads_principal_arn(parts) for parts in clause.parts or ()):
                return True
            if clause.key != "aws:principalarn":
                continue
            if clause.operator is None:
                return True
            if clause.operator.base.kind in _UNREAD_KINDS:
                continue
            for position, text in enumerate(clause.values):
                value_parts = clause.parts[position] if clause.parts is not None else None
                if _could_match(clause.operator, text, value_parts, partition, either):
                    return True
    return False


def _reads_principal_arn(parts: tuple[Part, ...]) -> bool:
    return any(isinstance(part, Variable) and part.key == "aws:principalarn" for part in parts)


def _could_match(operator: Operator, text: str, parts: tuple[Part, ...] | None, partition: str, either: re.Pattern[str]) -> bool:
    """Whether one policy value could match a federated user's ARN in either form: decided from the text where
    that is plain (a literal; an ARN pattern field by field), else by z3 under a small budget ("could" when
    the budget runs out)."""
    base = operator.base
    if parts is None and base.kind is ValueKind.ARN and len(fields := text.split(":", 5)) == 6:
        return (wildcard_match(fields[0], "arn") and wildcard_match(fields[1], partition)
                and (wildcard_match(fields[2], "iam") or wildcard_match(fields[2], "sts")) and wildcard_match(fields[3], "")
                and all(c in "0123456789*?" for c in fields[4]) and _could_be_federated_rest(fields[5]))
    if parts is None and (base.comparison is not Comparison.LIKE or not has_wildcard(text)):
        return (re.fullmatch(either.pattern, text, re.IGNORECASE) if base.ignore_case else either.fullmatch(text)) is not None
    value = z3.String("federated-user-probe")
    account = z3.Loop(z3.Range("0", "9"), 12, 12)
    language = z3.Concat(literal_re(f"arn:{partition}:", False), z3.Union(z3.Re("iam"), z3.Re("sts")), z3.Re("::"),
                         account, z3.Re(":"), federated_user_rest_re())
    solver = z3.Solver()
    solver.set("rlimit", FEDERATED_PROBE_RLIMIT)
    solver.add(z3.InRe(value, language), string_matches(value, operator, text, parts))
    return bool(solver.check() != z3.unsat)


def _could_be_federated_rest(pattern: str) -> bool:
    """Whether an ARN pattern's resource field could match `federated-user/NAME`: its text before the first
    wildcard must agree with that shape (the rest may match anything)."""
    wildcard = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=None)
    head = pattern if wildcard is None else pattern[:wildcard]
    if wildcard is None:
        return re.fullmatch(f"{_FEDERATED_HEAD}{_FEDERATED_NAME}+", head) is not None
    if len(head) <= len(_FEDERATED_HEAD):
        return _FEDERATED_HEAD.startswith(head)
    return re.fullmatch(f"{_FEDERATED_HEAD}{_FEDERATED_NAME}*", head) is not None


FEDERATED_PROBE_RLIMIT = 2_000_000
"""z3's deterministic budget for one value in `_could_match`; running out means "could match"."""


def as_glob_text(parts: tuple[Part, ...]) -> str:
    return "".join(p.text if isinstance(p, Literal) else str(p) for p in parts)


def _literal_only(parts: tuple[Part, ...]) -> bool:
    """No wildcard outside the variables: the value is one exact string once they are substituted."""
    return not any(isinstance(p, str) and ("*" in p or "?" in p) for p in parts)


def _multivalued(name: str, policy: ReadPolicy) -> bool:
    if name in MULTIVALUED_KEYS:
        return True
    return any(clause.key == name and clause.operator is not None and clause.operator.qualifier is not SetQualifier.NONE
               for statement in policy.statements for clause in statement.clauses)


def _parse_number(text: str) -> Fraction | None:
    number = number_of(text)
    return None if number is None else Fraction(number)


def _compare(variable: z3.ArithRef, bound: Fraction | None, comparison: Comparison) -> z3.BoolRef:
    if bound is None:
        return z3.BoolVal(False)
    value = z3.RealVal(bound)
    relations = {
        Comparison.EQUALS: variable == value,
        Comparison.LESS_THAN: variable < value,
        Comparison.LESS_THAN_EQUALS: variable <= value,
        Comparison.GREATER_THAN: variable > value,
        Comparison.GREATER_THAN_EQUALS: variable >= value,
    }
    return relations[comparison]


def _in_network(variable: z3.ArithRef, cidr: str) -> z3.BoolRef:
    parsed = network(cidr)
    if parsed is None:
        return z3.BoolVal(False)
    offset = 0 if parsed.version == 4 else _IPV6_OFFSET
    low = int(parsed.network_address) + offset
    return z3.And(variable >= low, variable < low + parsed.num_addresses)

