//! What a program prints: `print(...)` with `sep=`, `end=` and `flush=`, into the state's output
//! lines (a line left open by `end=""` is continued by the next print, whichever thread makes it).

use super::footprint::{Access, Object};
use super::state::State;
use super::step::{err, unsupported, Event, StepInfo};
use super::value::{ExcKind, Exception, Value};

/// `print(*rest, **kwargs)`.
pub(super) fn print(
    state: &mut State,
    rest: &[Value],
    kwargs: &[(String, Value)],
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    let (mut sep, mut end) = (" ".to_string(), "\n".to_string());
    for (k, v) in kwargs {
        let slot = match k.as_str() {
            "sep" => &mut sep,
            "end" => &mut end,
            "flush" => continue,
            other => return Err(unsupported(format!("print(..., {other}=...) (sep=, end= and flush= are)"))),
        };
        match v {
            Value::None => {}
            Value::Str(s) => *slot = s.to_string(),
            other => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("{k} must be None or a string, not {}", state.heap.type_name(other)),
                ))
            }
        }
    }
    rest.iter().for_each(|v| state.heap.note_reads(v, &mut info.footprint));
    rest.iter().try_for_each(|v| state.heap.check_str_digits(v))?;
    let parts: Vec<String> = rest.iter().map(|v| state.heap.to_str(v)).collect();
    let text = parts.join(&sep) + &end;
    write_output(state, &text);
    info.footprint.add(Access::Write(Object::Output));
    info.event = Event::Print;
    Ok(Value::None)
}

pub(super) fn write_output(state: &mut State, text: &str) {
    let out = super::cached::make_mut(&mut state.output);
    let mut pieces = text.split('\n').peekable();
    while let Some(piece) = pieces.next() {
        let ends_line = pieces.peek().is_some();
        if piece.is_empty() && !ends_line {
            break;
        }
        match out.last_mut() {
            Some(last) if state.output_open => *last = format!("{last}{piece}").into(),
            _ => out.push(piece.into()),
        }
        state.output_open = !ends_line;
    }
}
