"""The pytest plugin, in a pytest run of its own (pytester): the racy program's test fails with
the explanation, the replay command and the timeline in its report; the locked one passes;
--gilcheck-switch sets the default switch model."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TESTS = f"""
import gilcheck

RACY = {str(ROOT / "models" / "race_condition.py")!r}
LOCKED = {str(ROOT / "models" / "safe_deposit.py")!r}

def test_racy():
    gilcheck.check(RACY, set={{"N": 3}}).assert_holds()

def test_locked():
    gilcheck.check(LOCKED).assert_holds()

def test_switch(gilcheck_switch):
    print("switch in force:", gilcheck_switch)
"""


def test_a_racy_test_fails_with_the_timeline_and_a_locked_one_passes(pytester):
    pytester.makepyfile(test_seed=TESTS)
    result = pytester.runpytest_subprocess("-rA")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "FAILED test_seed.py::test_racy" in out
    assert "PASSED test_seed.py::test_locked" in out
    assert "gilcheck.Violation" in out or "Violation" in out
    # The explanation and the replay command, in the assertion's message.
    assert "VIOLATED under bytecode" in out
    assert "lost update: T2 read balance = 0" in out
    assert f"replay: gilcheck trace {ROOT / 'models' / 'race_condition.py'} --set N=3 --schedule" in out
    # The timeline, in a section of the report of its own.
    assert "gilcheck timeline" in out
    assert "AssertionError: lost updates: balance is 3, expected 6" in out


def test_the_switch_option_sets_the_default_model(pytester):
    pytester.makepyfile(test_seed=TESTS)
    result = pytester.runpytest_subprocess("-rA", "-s", "--gilcheck-switch=cpython-3.12")
    # Under CPython 3.12 `balance += 1` cannot be interrupted: the racy program holds.
    result.assert_outcomes(passed=3)
    assert "switch in force: cpython-3.12" in result.stdout.str()


def test_the_option_is_in_pytest_help(pytester):
    result = pytester.runpytest_subprocess("--help")
    assert "--gilcheck-switch=MODEL" in result.stdout.str()
