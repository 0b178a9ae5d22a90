"""The Python API: runs the ``gilcheck`` command of this package and reads its JSON contract.

Nothing here checks anything: every verdict, outcome, counterexample and explanation comes from
the command's ``--format json`` output (the stable keys of the project's JSON contract), and the
timeline from ``gilcheck trace``, so the Python API and the command line always agree.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]

_default_switch: Optional[str] = None


class GilcheckError(Exception):
    """The command refused its input (exit code 2): a syntax error, a construct gilcheck does not
    model, an unknown ``set`` name, a bad option. The message is the command's own, with the
    file, line and column where it points at one; :attr:`kind`, :attr:`file`, :attr:`line` and
    :attr:`column` are its JSON error's fields where it gave them."""

    def __init__(self, message: str, error: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message)
        error = error or {}
        self.kind: Optional[str] = error.get("kind")
        self.file: Optional[str] = error.get("file")
        self.line: Optional[int] = error.get("line")
        self.column: Optional[int] = error.get("column")


class Violation(AssertionError):
    """Raised by :meth:`Result.assert_holds` when the program does not hold: the message is the
    verdict, the finding, the explanation and the replay command; :attr:`timeline` is the
    counterexample's timeline as ``gilcheck trace`` prints it (the pytest plugin shows it in the
    test's report)."""

    def __init__(self, message: str, result: "Result") -> None:
        super().__init__(message)
        self.result = result

    @property
    def timeline(self) -> str:
        """The counterexample's timeline, or an empty string for an inconclusive check."""
        c = self.result.counterexample
        return c.timeline() if c is not None else ""


def set_default_switch(switch: Optional[str]) -> None:
    """Sets the switch model that :func:`check` and :func:`outcomes` use when they are given
    none (``None``: the command's own default, ``bytecode``). The pytest plugin's
    ``--gilcheck-switch`` option sets it."""
    global _default_switch
    _default_switch = switch


def default_switch() -> Optional[str]:
    """The switch model used when a call names none (see :func:`set_default_switch`)."""
    return _default_switch


def binary() -> str:
    """The ``gilcheck`` command this package runs: ``$GILCHECK_BINARY`` if set, else the one this
    package installed next to the Python interpreter's scripts, else the first on the PATH."""
    explicit = os.environ.get("GILCHECK_BINARY")
    if explicit:
        return explicit
    name = "gilcheck.exe" if os.name == "nt" else "gilcheck"
    for scheme_path in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")):
        if scheme_path and (Path(scheme_path) / name).is_file():
            return str(Path(scheme_path) / name)
    found = shutil.which("gilcheck")
    if found:
        return found
    raise GilcheckError(
        "the gilcheck command was not found: install the package's wheel (pip install gilcheck) "
        "or set GILCHECK_BINARY to the command's path"
    )


@dataclass(frozen=True)
class Outcome:
    """One final state: the shown globals (name → value, as JSON gives them) and the output
    lines, with how many interleavings reach it when they were counted."""

    globals: Mapping[str, Any]
    output: Sequence[str]
    interleavings: Optional[int] = None
    violation: Optional[str] = None

    @classmethod
    def _from_json(cls, o: Mapping[str, Any]) -> "Outcome":
        n = o.get("interleavings")
        return cls(
            globals=dict(o.get("globals") or {}),
            output=tuple(o.get("output") or ()),
            interleavings=int(n) if n is not None else None,
            violation=o.get("violation"),
        )


class OutcomeSet(tuple):
    """The outcomes of a program, in the command's order (a tuple of :class:`Outcome`)."""

    def values(self, name: str) -> set:
        """The values global ``name`` takes across the outcomes that show it."""
        return {o.globals[name] for o in self if name in o.globals}

    def outputs(self) -> set:
        """The distinct output sequences (each a tuple of lines)."""
        return {tuple(o.output) for o in self}


@dataclass(frozen=True)
class Counterexample:
    """A run that violates the program: what failed and where, the schedule that replays it, the
    explanation the command gives, and the command that replays it as a timeline."""

    kind: str
    message: str
    line: int
    thread: int
    schedule: str
    preemptions: int
    steps: int
    explanation: Sequence[str]
    replay: str
    state: Outcome
    raw: Mapping[str, Any] = field(repr=False)

    def timeline(self) -> str:
        """The run's timeline: the text of the replay command (``gilcheck trace``)."""
        argv = shlex.split(self.replay)
        argv[0] = binary()
        proc = subprocess.run(argv, capture_output=True, text=True)
        if proc.returncode == 2:
            raise GilcheckError(proc.stderr.strip())
        return proc.stdout


@dataclass(frozen=True)
class Result:
    """The result of :func:`check`: the verdict and everything the command's JSON reports."""

    file: str
    verdict: str
    switch_model: str
    strategy: str
    exhaustive: bool
    outcomes: OutcomeSet
    counterexample: Optional[Counterexample]
    reductions: Sequence[tuple]
    notes: Sequence[str]
    stats: Mapping[str, Any]
    limit: Any
    exit_code: int
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def holds(self) -> bool:
        """Whether every interleaving was explored and none violates the program."""
        return self.verdict == "holds"

    @property
    def violated(self) -> bool:
        """Whether a counterexample was found."""
        return self.verdict == "violated"

    @property
    def inconclusive(self) -> bool:
        """Whether a limit stopped the search before a verdict."""
        return self.verdict == "inconclusive"

    def message(self) -> str:
        """The verdict in words: the finding, its explanation and the replay command."""
        head = f"{self.file}: {self.verdict.upper()} under {self.switch_model}"
        c = self.counterexample
        if c is None:
            why = f" ({self.limit})" if self.limit else ""
            return f"{head}{why}"
        lines = [head, f"  {c.kind}: {c.message}" + (f" (line {c.line})" if c.line else "")]
        lines += [f"  {t}" for t in c.explanation]
        lines.append(f"  counterexample: {c.steps} steps, {c.preemptions} preemption(s), schedule {c.schedule}")
        lines.append(f"  replay: {c.replay}")
        return "\n".join(lines)

    def assert_holds(self) -> "Result":
        """Raises :class:`Violation` (an ``AssertionError``) unless the program holds."""
        __tracebackhide__ = True  # pytest shows the caller's line, not this one
        if not self.holds:
            raise Violation(self.message(), self)
        return self

    def assert_violated(self, kind: Optional[str] = None) -> Counterexample:
        """Returns the counterexample; raises ``AssertionError`` if there is none, or if ``kind``
        is given and the finding is of another kind (``assertion``, ``exception``,
        ``deadlock``, ``nontermination``, ``expect``)."""
        __tracebackhide__ = True
        c = self.counterexample
        if c is None:
            raise AssertionError(f"expected a violation: {self.message()}")
        if kind is not None and c.kind != kind:
            raise AssertionError(f"expected a {kind} violation, found {c.kind}: {c.message}")
        return c


def _model_args(
    path: PathLike,
    set: Optional[Mapping[str, Any]],
    switch: Optional[str],
    expect: Optional[str],
) -> list:
    args = [os.fspath(path)]
    for name, value in (set or {}).items():
        args += ["--set", f"{name}={_python_literal(value)}"]
    switch = switch if switch is not None else _default_switch
    if switch is not None:
        args += ["--switch", switch]
    if expect is not None:
        args += ["--expect", expect]
    return args


def _python_literal(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _limit_args(max_states: Optional[int], max_time: Optional[float], max_memory: Optional[int]) -> list:
    args = []
    if max_states is not None:
        args += ["--max-states", str(max_states)]
    if max_time is not None:
        args += ["--max-time", str(max_time)]
    if max_memory is not None:
        args += ["--max-memory", str(max_memory)]
    return args


def _run_json(argv: Iterable[str]) -> tuple:
    proc = subprocess.run([binary(), *argv], capture_output=True, text=True)
    if proc.returncode not in (0, 1, 3):
        # With --format json the refusal is a JSON object {"error": {...}} on stdout.
        try:
            error = json.loads(proc.stdout)["error"]
        except (json.JSONDecodeError, KeyError, TypeError):
            error = None
        if isinstance(error, dict) and error.get("message"):
            raise GilcheckError(error["message"], error)
        raise GilcheckError(proc.stderr.strip() or f"gilcheck exited with {proc.returncode}")
    try:
        return json.loads(proc.stdout), proc.returncode
    except json.JSONDecodeError as e:
        raise GilcheckError(f"gilcheck printed no JSON ({e}): {proc.stderr.strip()}") from None


def _counterexample(c: Optional[Mapping[str, Any]]) -> Optional[Counterexample]:
    if not c:
        return None
    state = c.get("state") or {}
    return Counterexample(
        kind=c.get("kind", ""),
        message=c.get("message", ""),
        line=int(c.get("line") or 0),
        thread=int(c.get("thread") or 0),
        schedule=c.get("schedule", ""),
        preemptions=int(c.get("preemptions") or 0),
        steps=int(c.get("steps") or 0),
        explanation=tuple((c.get("explanation") or {}).get("text") or ()),
        replay=c.get("replay", ""),
        state=Outcome(globals=dict(state.get("globals") or {}), output=tuple(state.get("output") or ())),
        raw=c,
    )


def check(
    path: PathLike,
    *,
    set: Optional[Mapping[str, Any]] = None,
    switch: Optional[str] = None,
    expect: Optional[str] = None,
    strategy: Optional[str] = None,
    reduction: Optional[str] = None,
    max_states: Optional[int] = None,
    max_time: Optional[float] = None,
    max_memory: Optional[int] = None,
) -> Result:
    """Checks every interleaving of the program at ``path`` (``gilcheck check``).

    ``set`` replaces module-level constants (``{"N": 3}``), ``switch`` names the switch model
    (``"cpython-3.11"``; default :func:`default_switch`), ``expect`` is an expression over the
    globals that must hold at the end. Raises :class:`GilcheckError` where the command refuses the
    input.
    """
    argv = ["check", *_model_args(path, set, switch, expect), "--format", "json"]
    if strategy is not None:
        argv += ["--strategy", strategy]
    if reduction is not None:
        argv += ["--reduction", reduction]
    argv += _limit_args(max_states, max_time, max_memory)
    data, code = _run_json(argv)
    return Result(
        file=data.get("file", os.fspath(path)),
        verdict=data["verdict"],
        switch_model=data.get("switch_model", ""),
        strategy=data.get("strategy", ""),
        exhaustive=bool(data.get("exhaustive")),
        outcomes=OutcomeSet(Outcome._from_json(o) for o in data.get("outcomes") or ()),
        counterexample=_counterexample(data.get("counterexample")),
        reductions=tuple((r["name"], r["reason"]) for r in data.get("reductions") or ()),
        notes=tuple(data.get("notes") or ()),
        stats=dict(data.get("stats") or {}),
        limit=data.get("limit"),
        exit_code=code,
        raw=data,
    )


def outcomes(
    path: PathLike,
    *,
    set: Optional[Mapping[str, Any]] = None,
    switch: Optional[str] = None,
    expect: Optional[str] = None,
    vars: Optional[Sequence[str]] = None,
    count: bool = False,
    max_states: Optional[int] = None,
    max_time: Optional[float] = None,
    max_memory: Optional[int] = None,
) -> OutcomeSet:
    """Every final state the program can reach (``gilcheck outcomes``), violations included,
    each with its interleaving count when ``count`` is true. ``vars`` limits the globals
    shown. Raises :class:`GilcheckError` where the command refuses the input, and
    ``RuntimeError`` when a limit stopped the search before every outcome was found."""
    argv = ["outcomes", *_model_args(path, set, switch, expect), "--format", "json"]
    if vars:
        argv += ["--vars", ",".join(vars)]
    if count:
        argv.append("--count")
    argv += _limit_args(max_states, max_time, max_memory)
    data, code = _run_json(argv)
    if code == 3 or not data.get("exhaustive", True):
        raise RuntimeError(f"{path}: the search stopped before every outcome was found: {data.get('limit')}")
    return OutcomeSet(Outcome._from_json(o) for o in data.get("outcomes") or ())


@dataclass(frozen=True)
class Repair:
    """A repair that ``gilcheck fix`` proposed and proved: what it does, the unified diff, the
    repaired text, and how the re-check went."""

    description: str
    diff: str
    text: str
    verdict: str
    outputs: Mapping[str, Any]
    stats: Mapping[str, Any]


@dataclass(frozen=True)
class FixResult:
    """The result of :func:`fix`: the original's verdict, what its counterexample blames, each
    candidate tried, and the repair offered (``None`` when none holds)."""

    verdict: str
    blamed: Sequence[str]
    tried: Sequence[Mapping[str, Any]]
    repair: Optional[Repair]
    gave_up: Optional[str]
    written: bool
    exit_code: int
    raw: Mapping[str, Any] = field(repr=False)


def fix(
    path: PathLike,
    *,
    set: Optional[Mapping[str, Any]] = None,
    switch: Optional[str] = None,
    expect: Optional[str] = None,
    write: bool = False,
    max_candidates: Optional[int] = None,
    max_time: Optional[float] = None,
) -> FixResult:
    """Proposes a repair of a violated program (``gilcheck fix``): the smallest ``with lock:``
    region around the accesses its counterexample blames, or a consistent lock order for a
    deadlock, offered only once the repaired program is proved under the same switch model.
    ``write=True`` applies it to the file."""
    argv = ["fix", *_model_args(path, set, switch, expect), "--format", "json"]
    if write:
        argv.append("--write")
    if max_candidates is not None:
        argv += ["--max-candidates", str(max_candidates)]
    argv += _limit_args(None, max_time, None)
    data, code = _run_json(argv)
    r = data.get("repair")
    repair = None
    if r:
        repair = Repair(
            description=r["description"],
            diff=r["diff"],
            text=r["text"],
            verdict=r["verdict"],
            outputs=dict(r.get("outputs") or {}),
            stats=dict(r.get("stats") or {}),
        )
    return FixResult(
        verdict=data["verdict"],
        blamed=tuple(data.get("blamed") or ()),
        tried=tuple(data.get("tried") or ()),
        repair=repair,
        gave_up=data.get("gave_up"),
        written=bool(data.get("written")),
        exit_code=code,
        raw=data,
    )
