"""gilcheck from Python: check every interleaving of a threading program and assert on it.

::

    import gilcheck

    def test_deposits_are_not_lost():
        gilcheck.check("bank.py", set={"N": 3}, switch="cpython-3.11").assert_holds()

    def test_every_balance():
        assert gilcheck.outcomes("racy.py", set={"N": 2}).values("balance") == {2, 3, 4}

The checker is the ``gilcheck`` command this package installs; results are read from its JSON
output. With pytest, ``--gilcheck-switch=cpython-3.12`` sets the default switch model and a
failing :meth:`Result.assert_holds` shows the counterexample's timeline in the test's report.
"""

from ._api import (
    Counterexample,
    FixResult,
    GilcheckError,
    Outcome,
    OutcomeSet,
    Repair,
    Result,
    Violation,
    binary,
    check,
    default_switch,
    fix,
    outcomes,
    set_default_switch,
)

# Shown as gilcheck.Violation, gilcheck.GilcheckError in tracebacks.
for _cls in (Counterexample, FixResult, GilcheckError, Outcome, OutcomeSet, Repair, Result, Violation):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "Counterexample",
    "FixResult",
    "GilcheckError",
    "Outcome",
    "OutcomeSet",
    "Repair",
    "Result",
    "Violation",
    "binary",
    "check",
    "default_switch",
    "fix",
    "outcomes",
    "set_default_switch",
]
