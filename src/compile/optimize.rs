//! CPython 3.11's CFG optimisations (`optimize_cfg` and friends in `Python/compile.c`):
//! block normalisation and extension, constant-condition folding, jump threading, tuple folding,
//! SWAP elimination, PUSH_NULL folding, NOP removal, and dead-block elimination.

use super::cfg::{BlockId, Cfg, Ins, Op, MAX_COPY_SIZE};
use crate::bytecode::Const;

impl Cfg {
    pub(super) fn normalize_basic_block(&mut self, b: BlockId) {
        for i in 0..self.blocks[b].instrs.len() {
            let op = self.blocks[b].instrs[i].op;
            if op.is_exit() {
                self.blocks[b].exit = true;
                self.blocks[b].nofallthrough = true;
            }
            if op == Op::Jump {
                self.blocks[b].nofallthrough = true;
            }
            if op.is_jump() {
                if let Some(t) = self.blocks[b].instrs[i].target {
                    let t = self.skip_empty(t);
                    self.blocks[b].instrs[i].target = Some(t);
                }
            }
        }
    }

    pub(super) fn extend_block(&mut self, b: BlockId) {
        let Some(last) = self.blocks[b].instrs.last() else { return };
        if last.op != Op::Jump {
            return;
        }
        let Some(t) = last.target else { return };
        // Only blocks without line numbers (such as the implicit `return None`) are copied.
        let has_lineno = self.blocks[t].instrs.iter().any(|i| i.loc.line >= 0);
        if self.blocks[t].exit && self.blocks[t].instrs.len() <= MAX_COPY_SIZE && !has_lineno {
            let copy = self.blocks[t].instrs.clone();
            let block = &mut self.blocks[b];
            if let Some(last) = block.instrs.last_mut() {
                last.op = Op::Nop;
            }
            block.instrs.extend(copy);
            block.exit = true;
        }
    }

    pub(super) fn optimize_cfg(&mut self, consts: &mut Vec<Const>) {
        for b in self.layout() {
            self.optimize_basic_block(b, consts);
            self.clean_basic_block(b);
        }
        for b in self.list_order().rev() {
            self.extend_block(b);
        }
        self.mark_reachable();
        for b in self.layout() {
            if self.blocks[b].predecessors == 0 {
                self.blocks[b].instrs.clear();
            }
        }
        self.eliminate_empty_basic_blocks();
        for b in self.layout() {
            self.clean_basic_block(b);
        }
        let mut maybe_empty = false;
        for b in self.layout() {
            let next = self.blocks[b].next;
            if let Some(last) = self.blocks[b].instrs.last_mut() {
                if last.op == Op::Jump && last.target.is_some() && last.target == next {
                    last.op = Op::Nop;
                    self.blocks[b].nofallthrough = false;
                    maybe_empty = true;
                }
            }
        }
        if maybe_empty {
            self.eliminate_empty_basic_blocks();
        }
    }

    /// Threads `blocks[b].instrs[i]` (a jump) through the jump `target` (the first instruction of
    /// its target block), turning it into `op`. CPython's `jump_thread`.
    fn jump_thread(&mut self, b: BlockId, i: usize, target: &Ins, op: Op) -> bool {
        let ins = &mut self.blocks[b].instrs[i];
        if ins.loc.line == target.loc.line && ins.target != target.target {
            ins.target = target.target;
            ins.op = op;
            true
        } else {
            false
        }
    }

    fn optimize_basic_block(&mut self, b: BlockId, consts: &mut Vec<Const>) {
        let mut i = 0usize;
        while i < self.blocks[b].instrs.len() {
            let len = self.blocks[b].instrs.len();
            let op = self.blocks[b].instrs[i].op;
            let arg = self.blocks[b].instrs[i].arg;
            let nextop = if i + 1 < len { Some(self.blocks[b].instrs[i + 1].op) } else { None };
            let mut target: Option<Ins> = None;
            if op.is_jump() || op.is_block_push() {
                if let Some(t) = self.blocks[b].instrs[i].target {
                    let t = self.skip_empty(t);
                    self.blocks[b].instrs[i].target = Some(t);
                    target = self.blocks[t].instrs.first().cloned();
                }
            }
            let tgt_op = target.as_ref().map(|t| t.op);
            // `retry` re-examines the same instruction (CPython's `i -= 1`).
            let mut retry = false;
            match op {
                Op::LoadConst => {
                    let value = consts.get(arg as usize).cloned().unwrap_or(Const::None);
                    match nextop {
                        Some(Op::PopJumpIfFalse) | Some(Op::PopJumpIfTrue) => {
                            let is_true = value.truthy();
                            self.blocks[b].instrs[i].op = Op::Nop;
                            let jump_if_true = nextop == Some(Op::PopJumpIfTrue);
                            if is_true == jump_if_true {
                                self.blocks[b].instrs[i + 1].op = Op::Jump;
                                self.blocks[b].nofallthrough = true;
                            } else {
                                self.blocks[b].instrs[i + 1].op = Op::Nop;
                            }
                        }
                        Some(Op::JumpIfFalseOrPop) | Some(Op::JumpIfTrueOrPop) => {
                            let is_true = value.truthy();
                            let jump_if_true = nextop == Some(Op::JumpIfTrueOrPop);
                            if is_true == jump_if_true {
                                self.blocks[b].instrs[i + 1].op = Op::Jump;
                                self.blocks[b].nofallthrough = true;
                            } else {
                                self.blocks[b].instrs[i].op = Op::Nop;
                                self.blocks[b].instrs[i + 1].op = Op::Nop;
                            }
                        }
                        Some(Op::IsOp) => {
                            let jump_op = self.blocks[b].instrs.get(i + 2).map(|x| x.op);
                            if value == Const::None
                                && matches!(jump_op, Some(Op::PopJumpIfFalse) | Some(Op::PopJumpIfTrue))
                            {
                                let nextarg = self.blocks[b].instrs[i + 1].arg != 0;
                                let jump_if_false = jump_op == Some(Op::PopJumpIfFalse);
                                self.blocks[b].instrs[i].op = Op::Nop;
                                self.blocks[b].instrs[i + 1].op = Op::Nop;
                                self.blocks[b].instrs[i + 2].op =
                                    if nextarg ^ jump_if_false { Op::PopJumpIfNotNone } else { Op::PopJumpIfNone };
                            }
                        }
                        _ => {}
                    }
                }
                Op::BuildTuple => {
                    if nextop == Some(Op::UnpackSequence) && self.blocks[b].instrs[i + 1].arg == arg {
                        match arg {
                            1 => {
                                self.blocks[b].instrs[i].op = Op::Nop;
                                self.blocks[b].instrs[i + 1].op = Op::Nop;
                                i += 1;
                                continue;
                            }
                            2 | 3 => {
                                self.blocks[b].instrs[i].op = Op::Nop;
                                self.blocks[b].instrs[i + 1].op = Op::Swap;
                                i += 1;
                                continue;
                            }
                            _ => {}
                        }
                    }
                    if i >= arg as usize {
                        self.fold_tuple_on_constants(b, i, consts);
                    }
                }
                Op::JumpIfFalseOrPop => {
                    if let Some(t) = &target {
                        match t.op {
                            Op::PopJumpIfFalse => retry = self.jump_thread(b, i, t, Op::PopJumpIfFalse),
                            Op::Jump | Op::JumpIfFalseOrPop => retry = self.jump_thread(b, i, t, Op::JumpIfFalseOrPop),
                            Op::JumpIfTrueOrPop | Op::PopJumpIfTrue => {
                                retry = self.jump_to_after_target(b, i, t, Op::PopJumpIfFalse);
                            }
                            _ => {}
                        }
                    }
                }
                Op::JumpIfTrueOrPop => {
                    if let Some(t) = &target {
                        match t.op {
                            Op::PopJumpIfTrue => retry = self.jump_thread(b, i, t, Op::PopJumpIfTrue),
                            Op::Jump | Op::JumpIfTrueOrPop => retry = self.jump_thread(b, i, t, Op::JumpIfTrueOrPop),
                            Op::JumpIfFalseOrPop | Op::PopJumpIfFalse => {
                                retry = self.jump_to_after_target(b, i, t, Op::PopJumpIfTrue);
                            }
                            _ => {}
                        }
                    }
                }
                Op::PopJumpIfNone | Op::PopJumpIfNotNone | Op::PopJumpIfFalse | Op::PopJumpIfTrue | Op::Jump
                    if tgt_op == Some(Op::Jump) =>
                {
                    if let Some(t) = &target {
                        retry = self.jump_thread(b, i, t, op);
                    }
                }
                Op::Swap => {
                    if arg == 1 {
                        self.blocks[b].instrs[i].op = Op::Nop;
                    } else {
                        swaptimize(&mut self.blocks[b].instrs, &mut i);
                        apply_static_swaps(&mut self.blocks[b].instrs, i);
                    }
                }
                Op::PushNull if nextop == Some(Op::LoadGlobal) && self.blocks[b].instrs[i + 1].arg & 1 == 0 => {
                    self.blocks[b].instrs[i].op = Op::Nop;
                    self.blocks[b].instrs[i].arg = 0;
                    self.blocks[b].instrs[i + 1].arg |= 1;
                }
                _ => {}
            }
            if !retry {
                i += 1;
            }
        }
    }

    /// `x: JUMP_IF_FALSE_OR_POP y; y: JUMP_IF_TRUE_OR_POP z` → `x: POP_JUMP_IF_FALSE y+1`.
    fn jump_to_after_target(&mut self, b: BlockId, i: usize, t: &Ins, op: Op) -> bool {
        let ins_line = self.blocks[b].instrs[i].loc.line;
        if ins_line != t.loc.line {
            return false;
        }
        let Some(tb) = self.blocks[b].instrs[i].target else { return false };
        let Some(after) = self.blocks[tb].next else { return false };
        let ins = &mut self.blocks[b].instrs[i];
        ins.op = op;
        ins.target = Some(after);
        true
    }

    fn fold_tuple_on_constants(&mut self, b: BlockId, i: usize, consts: &mut Vec<Const>) {
        let n = self.blocks[b].instrs[i].arg as usize;
        let instrs = &mut self.blocks[b].instrs;
        if instrs[i - n..i].iter().any(|x| x.op != Op::LoadConst) {
            return;
        }
        let items: Vec<Const> =
            instrs[i - n..i].iter().map(|x| consts.get(x.arg as usize).cloned().unwrap_or(Const::None)).collect();
        let tuple = Const::Tuple(items.into());
        let index = match consts.iter().position(|c| *c == tuple) {
            Some(k) => k,
            None => {
                consts.push(tuple);
                consts.len() - 1
            }
        };
        for x in &mut instrs[i - n..i] {
            x.op = Op::Nop;
        }
        instrs[i].op = Op::LoadConst;
        instrs[i].arg = index as u32;
    }

    /// CPython 3.11's `clean_basic_block`: removes NOPs that carry no needed line number.
    pub(super) fn clean_basic_block(&mut self, b: BlockId) {
        let next_line = {
            let mut next = self.blocks[b].next;
            while let Some(n) = next {
                if self.blocks[n].instrs.is_empty() {
                    next = self.blocks[n].next;
                } else {
                    break;
                }
            }
            next.and_then(|n| self.blocks[n].instrs.first()).map(|i| i.loc.line)
        };
        let instrs = &mut self.blocks[b].instrs;
        let len = instrs.len();
        let mut dest = 0usize;
        let mut prev_line = -1;
        for src in 0..len {
            let line = instrs[src].loc.line;
            if instrs[src].op == Op::Nop {
                if line < 0 || prev_line == line {
                    continue;
                }
                if src + 1 < len {
                    let following = instrs[src + 1].loc.line;
                    if following == line {
                        continue;
                    }
                    if following < 0 {
                        instrs[src + 1].loc = instrs[src].loc;
                        continue;
                    }
                } else if next_line == Some(line) {
                    continue;
                }
            }
            instrs.swap(dest, src);
            dest += 1;
            prev_line = line;
        }
        instrs.truncate(dest);
    }

    fn mark_reachable(&mut self) {
        for b in &mut self.blocks {
            b.predecessors = 0;
        }
        let mut stack = vec![0usize];
        self.blocks[0].predecessors = 1;
        while let Some(b) = stack.pop() {
            if let Some(n) = self.blocks[b].next {
                if !self.blocks[b].nofallthrough {
                    if self.blocks[n].predecessors == 0 {
                        stack.push(n);
                    }
                    self.blocks[n].predecessors += 1;
                }
            }
            let targets: Vec<BlockId> = self.blocks[b]
                .instrs
                .iter()
                .filter(|i| i.op.is_jump() || i.op.is_block_push())
                .filter_map(|i| i.target)
                .collect();
            for t in targets {
                if self.blocks[t].predecessors == 0 {
                    stack.push(t);
                }
                self.blocks[t].predecessors += 1;
            }
        }
    }

    fn eliminate_empty_basic_blocks(&mut self) {
        for b in self.layout() {
            if let Some(mut next) = self.blocks[b].next {
                while self.blocks[next].instrs.is_empty() {
                    match self.blocks[next].next {
                        Some(n) => next = n,
                        None => break,
                    }
                }
                self.blocks[b].next = Some(next);
            }
        }
        for b in self.layout() {
            let Some(last) = self.blocks[b].instrs.last() else { continue };
            if !last.op.is_jump() {
                continue;
            }
            if let Some(t) = last.target {
                let t = self.skip_empty(t);
                if let Some(last) = self.blocks[b].instrs.last_mut() {
                    last.target = Some(t);
                }
            }
        }
    }
}

/// CPython 3.11's `swaptimize`: replaces a run of SWAPs (and NOPs) by an optimal sequence.
fn swaptimize(instrs: &mut [Ins], ix: &mut usize) {
    let start = *ix;
    let mut depth = instrs[start].arg as usize;
    let mut len = 0usize;
    let mut more = false;
    let limit = instrs.len() - start;
    loop {
        len += 1;
        if len >= limit {
            break;
        }
        let op = instrs[start + len].op;
        if op == Op::Swap {
            depth = depth.max(instrs[start + len].arg as usize);
            more = true;
        } else if op != Op::Nop {
            break;
        }
    }
    if !more || depth == 0 {
        return;
    }
    const VISITED: isize = -1;
    let mut stack: Vec<isize> = (0..depth as isize).collect();
    for ins in &instrs[start..start + len] {
        if ins.op == Op::Swap {
            let oparg = ins.arg as usize;
            if oparg == 0 || oparg > depth {
                return;
            }
            stack.swap(0, oparg - 1);
        }
    }
    let mut current = len as isize - 1;
    for i in 0..depth {
        if stack[i] == VISITED || stack[i] == i as isize {
            continue;
        }
        let mut j = i;
        loop {
            if j != 0 {
                if current < 0 {
                    return;
                }
                let ins = &mut instrs[start + current as usize];
                ins.op = Op::Swap;
                ins.arg = j as u32 + 1;
                current -= 1;
            }
            if stack[j] == VISITED {
                break;
            }
            let next_j = stack[j];
            stack[j] = VISITED;
            j = next_j as usize;
        }
    }
    while current >= 0 {
        instrs[start + current as usize].op = Op::Nop;
        current -= 1;
    }
    *ix += len - 1;
}

fn swappable(op: Op) -> bool {
    matches!(op, Op::StoreFast | Op::PopTop)
}

fn next_swappable_instruction(instrs: &[Ins], mut i: usize, line: Option<i32>) -> Option<usize> {
    loop {
        i += 1;
        if i >= instrs.len() {
            return None;
        }
        let ins = &instrs[i];
        if let Some(l) = line {
            if l >= 0 && ins.loc.line != l {
                return None;
            }
        }
        if ins.op == Op::Nop {
            continue;
        }
        if swappable(ins.op) {
            return Some(i);
        }
        return None;
    }
}

/// CPython 3.11's `apply_static_swaps`: performs SWAPs by reordering the stores after them.
fn apply_static_swaps(instrs: &mut [Ins], i: usize) {
    let mut i = i as isize;
    while i >= 0 {
        let idx = i as usize;
        if instrs[idx].op != Op::Swap {
            if instrs[idx].op == Op::Nop || swappable(instrs[idx].op) {
                i -= 1;
                continue;
            }
            return;
        }
        let Some(j) = next_swappable_instruction(instrs, idx, None) else { return };
        let mut k = j;
        let line = instrs[j].loc.line;
        let mut count = instrs[idx].arg as i64 - 1;
        while count > 0 {
            match next_swappable_instruction(instrs, k, Some(line)) {
                Some(x) => k = x,
                None => return,
            }
            count -= 1;
        }
        // Not safe when the two stores (or one between them) store to the same local.
        let stores_to = |ins: &Ins| if ins.op == Op::StoreFast { Some(ins.arg) } else { None };
        let (store_j, store_k) = (stores_to(&instrs[j]), stores_to(&instrs[k]));
        if store_j.is_some() || store_k.is_some() {
            if store_j == store_k {
                return;
            }
            for ins in &instrs[j + 1..k] {
                if let Some(x) = stores_to(ins) {
                    if Some(x) == store_j || Some(x) == store_k {
                        return;
                    }
                }
            }
        }
        instrs[idx].op = Op::Nop;
        instrs.swap(j, k);
        i -= 1;
    }
}
