"""The pytest plugin (registered through the ``pytest11`` entry point).

- ``--gilcheck-switch=MODEL`` sets the switch model that :func:`gilcheck.check` and
  :func:`gilcheck.outcomes` use when a test names none (``bytecode``, ``cpython-3.9`` …
  ``cpython-3.13``).
- A test that fails by :meth:`gilcheck.Result.assert_holds` gets a "gilcheck timeline" section
  in its report: the counterexample's timeline, as ``gilcheck trace`` prints it.
- The ``gilcheck_switch`` fixture gives the switch model in force.
"""

from __future__ import annotations

from typing import Optional

import pytest

from . import _api


def pytest_addoption(parser: "pytest.Parser") -> None:
    group = parser.getgroup("gilcheck", "interleaving model checking of threading programs")
    group.addoption(
        "--gilcheck-switch",
        dest="gilcheck_switch",
        default=None,
        metavar="MODEL",
        help="default switch model for gilcheck.check() and gilcheck.outcomes(): bytecode "
        "(every instruction boundary), cpython-3.9 ... cpython-3.13 (where that version "
        "can switch threads)",
    )


def pytest_configure(config: "pytest.Config") -> None:
    switch = config.getoption("gilcheck_switch", default=None)
    if switch:
        _api.set_default_switch(switch)


def pytest_unconfigure(config: "pytest.Config") -> None:
    if config.getoption("gilcheck_switch", default=None):
        _api.set_default_switch(None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: "pytest.Item", call: "pytest.CallInfo"):
    outcome = yield
    report = outcome.get_result()
    excinfo = call.excinfo
    if excinfo is not None and isinstance(excinfo.value, _api.Violation):
        try:
            timeline = excinfo.value.timeline
        except Exception as e:  # the report must not fail because the replay did
            timeline = f"(the timeline could not be replayed: {e})"
        if timeline:
            report.sections.append(("gilcheck timeline", timeline))


@pytest.fixture
def gilcheck_switch() -> Optional[str]:
    """The switch model in force (``--gilcheck-switch``), or ``None`` for the default."""
    return _api.default_switch()
