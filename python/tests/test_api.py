"""gilcheck.check and gilcheck.outcomes against the seed's programs and models/, through the
installed command."""

import os
import subprocess
from pathlib import Path

import pytest

import gilcheck

ROOT = Path(__file__).resolve().parents[2]
RACY = ROOT / "models" / "race_condition.py"
LOCKED = ROOT / "models" / "safe_deposit.py"


def test_the_installed_command_is_this_packages():
    exe = Path(gilcheck.binary())
    assert exe.name == "gilcheck" and exe.is_file()
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("gilcheck ")


def test_the_locked_program_is_proved_at_the_full_n():
    r = gilcheck.check(LOCKED).assert_holds()
    assert r.holds and r.exhaustive and r.exit_code == 0
    assert r.counterexample is None
    assert r.outcomes.values("balance") == {2_000_000}
    assert "solo-loop-acceleration" in {name for name, _ in r.reductions}


def test_the_racy_program_loses_updates_with_an_explained_counterexample():
    r = gilcheck.check(RACY, set={"N": 3})
    assert r.violated and r.exit_code == 1
    c = r.assert_violated("assertion")
    assert c.message == "AssertionError: lost updates: balance is 3, expected 6"
    assert c.line == 19 and c.preemptions == 1
    assert any(line.startswith("lost update: ") for line in c.explanation)
    assert c.replay == f"gilcheck trace {RACY} --set N=3 --schedule {c.schedule}"
    with pytest.raises(AssertionError) as failure:
        r.assert_holds()
    text = str(failure.value)
    assert "VIOLATED under bytecode" in text
    assert "lost update: T2 read balance = 0" in text
    assert f"replay: gilcheck trace {RACY} --set N=3 --schedule {c.schedule}" in text


def test_the_counterexample_replays_as_a_timeline():
    c = gilcheck.check(RACY, set={"N": 2}).assert_violated()
    timeline = c.timeline()
    assert "AssertionError: lost updates" in timeline
    assert "preempt" in timeline


def test_the_racy_program_holds_where_cpython_311_cannot_switch_inside_the_update():
    gilcheck.check(RACY, switch="cpython-3.11").assert_holds()


def test_the_default_switch_model_applies_when_a_call_names_none():
    gilcheck.set_default_switch("cpython-3.12")
    try:
        r = gilcheck.check(RACY, set={"N": 2})
        assert r.holds and r.switch_model == "cpython-3.12"
        assert gilcheck.check(RACY, set={"N": 2}, switch="bytecode").violated
    finally:
        gilcheck.set_default_switch(None)


def test_the_outcome_set_of_the_racy_program_is_every_balance_from_2_to_2n():
    for n in (2, 3):
        o = gilcheck.outcomes(RACY, set={"N": n})
        assert o.values("balance") == set(range(2, 2 * n + 1))
        assert o.outputs() == {(f"Final Balance: {b}",) for b in range(2, 2 * n + 1)}


def test_interleavings_are_counted_on_request():
    # The figures of `gilcheck outcomes python/tests/programs/two_writers.py --count`.
    src = ROOT / "python" / "tests" / "programs" / "two_writers.py"
    o = gilcheck.outcomes(src, count=True)
    assert {x.globals["x"]: x.interleavings for x in o} == {1: 1_052_001, 2: 10_257_129}
    assert all(x.interleavings is None for x in gilcheck.outcomes(src))


def test_a_model_from_the_collection_check_then_act():
    c = gilcheck.check(ROOT / "models" / "check_then_act.py").assert_violated("assertion")
    assert c.message == "AssertionError: oversold: tickets = -1, sold = 2"


def test_a_deadlock_is_a_violation_of_kind_deadlock():
    c = gilcheck.check(ROOT / "models" / "deadlock.py").assert_violated("deadlock")
    assert c.message.startswith("T1 waits for lock_b (held by T2) at line 13; T2 waits for lock_a")


def test_bad_input_is_refused_with_the_position(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("x = (1,\n")
    with pytest.raises(gilcheck.GilcheckError) as e:
        gilcheck.check(bad)
    assert str(e.value) == f"{bad}:2:1: syntax error: unexpected EOF while parsing"
    assert (e.value.kind, e.value.line, e.value.column) == ("syntax", 2, 1)
    with pytest.raises(gilcheck.GilcheckError) as e:
        gilcheck.check(RACY, set={"M": 1})
    assert "M" in str(e.value)


def test_a_limit_gives_an_inconclusive_result():
    r = gilcheck.check(LOCKED, set={"N": 30}, reduction="none", strategy="stateful", max_states=1000)
    assert r.inconclusive and r.exit_code == 3 and not r.holds
    with pytest.raises(AssertionError) as e:
        r.assert_holds()
    assert "INCONCLUSIVE" in str(e.value)


def test_the_binary_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("GILCHECK_BINARY", os.fspath(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError):
        gilcheck.check(RACY)


def test_fix_proposes_a_proved_lock_and_writes_it_on_request(tmp_path):
    racy = tmp_path / "racy.py"
    racy.write_text(RACY.read_text())
    f = gilcheck.fix(racy, set={"N": 3})
    assert f.verdict == "violated" and f.exit_code == 0 and not f.written
    assert f.repair.description.startswith("`with lock:` around line 11 in deposit()")
    assert "+        with lock:\n" in f.repair.diff
    assert f.repair.verdict == "holds"
    # The repaired text, checked here again at the full N.
    repaired = tmp_path / "repaired.py"
    repaired.write_text(f.repair.text)
    assert gilcheck.check(repaired).assert_holds().outcomes.values("balance") == {2_000_000}
    assert gilcheck.fix(racy, set={"N": 3}, write=True).written
    assert racy.read_text() == f.repair.text
    assert gilcheck.fix(racy).gave_up == "the program holds: there is nothing to repair"
