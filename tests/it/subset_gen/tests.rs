//! The generator's own checks: the coverage table, every program accepted by the subset, and the
//! runs ending only in the program's own failures.

use super::*;
use gilcheck::Model;
use gilcheck::{Limits, Reduction, Strategy as Search};
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::BTreeMap;

fn sample(n: usize) -> Vec<GenProgram> {
    let mut runner = TestRunner::deterministic();
    let strat = program();
    (0..n).map(|_| strat.new_tree(&mut runner).unwrap().current()).collect()
}

/// Every feature the coverage table must show.
const ALL: [Feature; 140] = {
    use Feature::*;
    [
        LockWith,
        LockAcquireRelease,
        LockAcquireTryFinally,
        LockAcquireNonBlocking,
        LockAcquireTimeout,
        LockAsThreadArgument,
        LockPassedToHelper,
        WithVsAcquireAcrossThreads,
        MixedFormsAcrossThreads,
        MixedFormsInOneThread,
        TwoLocksNested,
        RLock,
        RLockReentered,
        Semaphore,
        BoundedSemaphore,
        ConditionNotify,
        ConditionNotifyAll,
        ConditionWait,
        ConditionOverLock,
        EventSet,
        EventClear,
        EventWait,
        EventIsSet,
        BarrierWait,
        QueuePut,
        QueueGetTaskDone,
        QueueJoin,
        QueueSizeOrEmpty,
        List,
        ListAppend,
        Len,
        Dict,
        DictGet,
        Attribute,
        Method,
        Property,
        BoundMethodTarget,
        HelperCall,
        Builtin,
        Sleep,
        TryExceptType,
        TryExceptTuple,
        TryExceptAs,
        TryExceptBare,
        ExceptionClass,
        TryElse,
        TryFinally,
        Raise,
        CaughtCheckerError,
        ForRange,
        ForContinue,
        WhileCounter,
        WhileTrueBreak,
        If,
        Else,
        Print,
        PrintFString,
        Assert,
        AssertMessage,
        LocalReadModifyWrite,
        IntArgument,
        TwoWorkers,
        OneFunctionTwoThreads,
        MainWorksBetweenStartAndJoin,
        MainReads,
        MainWrites,
        MainTakesLock,
        MainPrints,
        JoinReverse,
        StartJoinSequential,
        FinalAssert,
        Arithmetic,
        IntOperators,
        BoolOps,
        Elif,
        ForBreak,
        TupleUnpacking,
        Str,
        ListMembershipNegativeIndex,
        DictIteration,
        IsinstanceIntStr,
        ClassAttribute,
        Annotations,
        FutureAnnotations,
        FromImport,
        DefaultParameter,
        KeywordArgument,
        ListPop,
        ExceptIndexError,
        ListInsert,
        ListSort,
        DictSetdefault,
        DictItems,
        DictUpdate,
        ThreadName,
        CurrentThreadName,
        StrMethods,
        Floats,
        PrintfFormat,
        StrFormat,
        ListComprehension,
        DictComprehension,
        Enumerate,
        ZipReversed,
        DictPop,
        DictCopy,
        Lambda,
        Closure,
        Inheritance,
        Slice,
        ThreadLocal,
        Math,
        StarUnpack,
        SpreadCall,
        Walrus,
        GeneratorExpression,
        GeneratorFunction,
        Reflection,
        DefaultDict,
        RandomSleep,
        Draw,
        TimeReading,
        Vars,
        DaemonThread,
        KeywordOnly,
        Set,
        PropertySetter,
        SpecialMethod,
        KeyFunction,
        ConditionWaitFor,
        ThreadArgsList,
        ContextManager,
        Deque,
        Counter,
        ThreadPool,
        AsCompleted,
        Timer,
        StdlibModules,
        Decorator,
        CallableObject,
    ]
};

/// 2,000 programs of the default generator: prints the share of programs that contain each
/// construct, and requires at least 1% for every one.
#[test]
fn every_construct_of_the_subset_is_generated() {
    let n = 2000;
    let progs = sample(n);
    let mut counts: BTreeMap<Feature, usize> = ALL.iter().map(|f| (*f, 0)).collect();
    for p in &progs {
        for f in &p.features {
            *counts.entry(*f).or_insert(0) += 1;
        }
    }
    let lock_only = progs.iter().filter(|p| p.profile == Profile::LockOnly).count();
    println!("coverage of {n} generated programs ({lock_only} lock-only, {} everything):", n - lock_only);
    let mut low = Vec::new();
    for (f, k) in &counts {
        let share = 100.0 * *k as f64 / n as f64;
        println!("  {:<32} {k:>5}  {share:5.1}%", format!("{f:?}"));
        if share < 1.0 {
            low.push(format!("{f:?} ({share:.2}%)"));
        }
    }
    assert!(low.is_empty(), "constructs in under 1% of programs: {}", low.join(", "));
}

/// Every generated program is in the subset; plain search ends each one (within a limit) with
/// nothing but the program's own outcomes: no failure names a construct the checker lacks.
#[test]
fn generated_programs_are_accepted_and_run() {
    let progs = sample(400);
    let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut reduced = 0;
    let mut slow = Vec::new();
    for p in &progs {
        let t0 = std::time::Instant::now();
        let m = Model::from_source("gen.py", p.source.as_str())
            .unwrap_or_else(|e| panic!("not accepted: {e}\n{}", p.source));
        let mut limits = Limits::default();
        limits.max_states = 50_000;
        let r = m.checker().strategy(Search::Stateful).limits(limits.clone()).all_outcomes(true).check();
        let v = if r.exhaustive { format!("{}", r.verdict) } else { "cut".to_string() };
        *verdicts.entry(v).or_insert(0) += 1;
        for v in &r.violations {
            let msg = &v.finding.message;
            let name = msg.split([':', ' ']).next().unwrap_or("").to_string();
            for bad in ["AttributeError", "TypeError", "NameError", "unsupported", "not supported"] {
                assert!(!msg.contains(bad), "{msg}\n{}", p.source);
            }
            *kinds.entry(format!("{:?} {name}", v.finding.kind)).or_insert(0) += 1;
        }
        let f = m.checker().strategy(Search::Stateful).reduction(Reduction::Full).limits(limits).check();
        if !f.reductions.is_empty() {
            reduced += 1;
        }
        slow.push(t0.elapsed().as_secs_f64());
    }
    println!("400 programs under plain stateful search: {verdicts:?}");
    println!("violations by kind: {kinds:?}");
    println!("programs the full reduction applies to: {reduced}");
    slow.sort_by(f64::total_cmp);
    println!(
        "seconds per program (plain + full): median {:.3}, 90% {:.3}, max {:.3}, total {:.1}",
        slow[slow.len() / 2],
        slow[slow.len() * 9 / 10],
        slow[slow.len() - 1],
        slow.iter().sum::<f64>()
    );
    assert!(reduced >= 80, "the reductions apply to only {reduced} of 400 programs");
}
