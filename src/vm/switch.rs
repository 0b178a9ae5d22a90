//! Switch models: where the scheduler may hand the GIL to another thread.
//!
//! Blocking operations (a contended acquire, `join` on a live thread) and `time.sleep` are switch
//! points in every model; the models differ in which instruction boundaries are.

use std::fmt;
use std::str::FromStr;

/// Where thread switches may happen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SwitchModel {
    /// Every instruction boundary: all that the language promises, what CPython ≤ 3.9 does in
    /// practice, and what free-threaded builds allow at this granularity.
    #[default]
    Bytecode,
}

impl SwitchModel {
    /// Every model, in order.
    pub const ALL: &'static [SwitchModel] = &[SwitchModel::Bytecode];

    /// The model's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            SwitchModel::Bytecode => "bytecode",
        }
    }

    /// What the model means, in one line.
    pub fn describe(self) -> &'static str {
        match self {
            SwitchModel::Bytecode => "a thread switch may happen at every bytecode instruction boundary",
        }
    }
}

impl fmt::Display for SwitchModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SwitchModel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SwitchModel::ALL
            .iter()
            .copied()
            .find(|m| m.name() == s)
            .ok_or_else(|| format!("unknown switch model '{s}'; supported: bytecode"))
    }
}
