//! The assembly passes of CPython 3.11 that run after optimisation: duplication of exit
//! blocks without line numbers, line-number propagation, stack depths, and the labelling of
//! instructions with their exception handlers.

use super::cfg::{Block, BlockId, Cfg, Op, SrcLoc};

impl Cfg {
    fn is_exit_without_lineno(&self, b: BlockId) -> bool {
        self.blocks[b].exit && self.blocks[b].instrs.iter().all(|i| i.loc.line < 0)
    }

    pub(super) fn duplicate_exits_without_lineno(&mut self) {
        for b in self.list_order().rev() {
            let Some(last) = self.blocks[b].instrs.last() else { continue };
            if !last.op.is_jump() {
                continue;
            }
            let Some(target) = last.target else { continue };
            let jump_loc = last.loc;
            if self.is_exit_without_lineno(target) && self.blocks[target].predecessors > 1 {
                let mut copy = self.blocks[target].clone();
                if let Some(first) = copy.instrs.first_mut() {
                    first.loc = jump_loc;
                }
                copy.predecessors = 1;
                copy.next = self.blocks[target].next;
                self.blocks.push(copy);
                let new_id = self.blocks.len() - 1;
                if let Some(last) = self.blocks[b].instrs.last_mut() {
                    last.target = Some(new_id);
                }
                self.blocks[target].predecessors -= 1;
                self.blocks[target].next = Some(new_id);
            }
        }
        for b in self.list_order().rev() {
            while let Some(n) = self.blocks[b].next {
                if self.blocks[n].instrs.is_empty() {
                    self.blocks[b].next = self.blocks[n].next;
                } else {
                    break;
                }
            }
        }
        for b in self.list_order().rev() {
            if self.blocks[b].nofallthrough || self.blocks[b].instrs.is_empty() {
                continue;
            }
            let Some(n) = self.blocks[b].next else { continue };
            if self.is_exit_without_lineno(n) {
                let loc = self.blocks[b].instrs.last().map_or(SrcLoc::NONE, |i| i.loc);
                if let Some(first) = self.blocks[n].instrs.first_mut() {
                    first.loc = loc;
                }
            }
        }
    }

    pub(super) fn propagate_line_numbers(&mut self) {
        for b in self.layout() {
            if self.blocks[b].instrs.is_empty() {
                continue;
            }
            let mut prev = SrcLoc::NONE;
            for ins in &mut self.blocks[b].instrs {
                if ins.loc.line < 0 {
                    ins.loc = prev;
                } else {
                    prev = ins.loc;
                }
            }
            if !self.blocks[b].nofallthrough {
                if let Some(n) = self.blocks[b].next {
                    if self.blocks[n].predecessors == 1 {
                        if let Some(first) = self.blocks[n].instrs.first_mut() {
                            if first.loc.line < 0 {
                                first.loc = prev;
                            }
                        }
                    }
                }
            }
            let last = self.blocks[b].instrs.last().cloned();
            if let Some(last) = last {
                if last.op.is_jump() {
                    if let Some(t) = last.target {
                        if self.blocks[t].predecessors == 1 {
                            if let Some(first) = self.blocks[t].instrs.first_mut() {
                                if first.loc.line < 0 {
                                    first.loc = prev;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    pub(super) fn guarantee_lineno_for_exits(&mut self, first_line: i32) {
        let mut line = first_line;
        for b in self.layout() {
            let Some(last) = self.blocks[b].instrs.last() else { continue };
            if last.loc.line < 0 {
                if last.op == Op::ReturnValue {
                    for ins in &mut self.blocks[b].instrs {
                        ins.loc.line = line;
                    }
                }
            } else {
                line = last.loc.line;
            }
        }
    }

    pub(super) fn stackdepth(&mut self) {
        for b in &mut self.blocks {
            b.startdepth = None;
        }
        let mut stack: Vec<BlockId> = Vec::new();
        let push = |blocks: &mut Vec<Block>, stack: &mut Vec<BlockId>, b: BlockId, depth: i32| {
            if blocks[b].startdepth.is_none_or(|d| d < depth) {
                if blocks[b].startdepth.is_none() {
                    stack.push(b);
                }
                blocks[b].startdepth = Some(depth);
            }
        };
        push(&mut self.blocks, &mut stack, 0, 0);
        while let Some(b) = stack.pop() {
            let mut depth = self.blocks[b].startdepth.unwrap_or(0);
            let mut next = self.blocks[b].next;
            let instrs = self.blocks[b].instrs.clone();
            for ins in &instrs {
                let effect = ins.op.stack_effect(ins.arg, false);
                if ins.op.is_jump() || ins.op.is_block_push() {
                    let target_depth = depth + ins.op.stack_effect(ins.arg, true);
                    if let Some(t) = ins.target {
                        push(&mut self.blocks, &mut stack, t, target_depth);
                    }
                }
                depth += effect;
                if matches!(ins.op, Op::Jump | Op::ReturnValue | Op::RaiseVarargs | Op::Reraise) {
                    next = None;
                    break;
                }
            }
            if let Some(n) = next {
                push(&mut self.blocks, &mut stack, n, depth);
            }
        }
    }

    pub(super) fn label_exception_targets(&mut self) {
        for b in &mut self.blocks {
            b.visited = false;
            b.except_stack = None;
        }
        let mut todo = vec![0usize];
        self.blocks[0].visited = true;
        self.blocks[0].except_stack = Some(Vec::new());
        while let Some(b) = todo.pop() {
            let mut stack = self.blocks[b].except_stack.take().unwrap_or_default();
            let mut handler = stack.last().copied();
            let nofallthrough = self.blocks[b].nofallthrough;
            let mut stack_moved = false;
            for i in 0..self.blocks[b].instrs.len() {
                let op = self.blocks[b].instrs[i].op;
                let target = self.blocks[b].instrs[i].target;
                if op.is_block_push() {
                    if let Some(t) = target {
                        if !self.blocks[t].visited {
                            self.blocks[t].except_stack = Some(stack.clone());
                            self.blocks[t].visited = true;
                            todo.push(t);
                        }
                        if op != Op::SetupFinally {
                            self.blocks[t].preserve_lasti = true;
                        }
                        stack.push(t);
                        handler = Some(t);
                    }
                } else if op == Op::PopBlock {
                    stack.pop();
                    handler = stack.last().copied();
                } else if op.is_jump() {
                    self.blocks[b].instrs[i].except = handler;
                    if let Some(t) = target {
                        if !self.blocks[t].visited {
                            self.blocks[t].except_stack = Some(stack.clone());
                            if nofallthrough {
                                stack_moved = true;
                            }
                            self.blocks[t].visited = true;
                            todo.push(t);
                        }
                    }
                } else {
                    self.blocks[b].instrs[i].except = handler;
                }
            }
            if !nofallthrough && !stack_moved {
                if let Some(n) = self.blocks[b].next {
                    if !self.blocks[n].visited {
                        self.blocks[n].except_stack = Some(stack);
                        self.blocks[n].visited = true;
                        todo.push(n);
                    }
                }
            }
        }
    }
}
