//! Measuring this process and tidying the figures: peak memory (VmHWM), CPU time and bytes
//! written, percentiles of latencies, and the rounding every reported figure gets.

use std::time::Duration;

use serde_json::Value;

pub(super) fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, in MB.
pub(super) fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Bytes this process has written so far (`wchar` in `/proc/self/io`).
fn written_bytes() -> Option<f64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))?
        .trim()
        .parse()
        .ok()
}

/// CPU time and bytes written by this process over a measurement.
pub(super) struct Meter {
    cpu: Option<f64>,
    written: Option<f64>,
}

impl Meter {
    pub(super) fn start() -> Self {
        Meter {
            cpu: cpu_seconds(),
            written: written_bytes(),
        }
    }

    /// CPU microseconds and bytes written per operation since the start, for `ops` operations.
    pub(super) fn per(&self, ops: usize) -> (Option<f64>, Option<f64>) {
        let ops = ops.max(1) as f64;
        let cpu = cpu_seconds()
            .zip(self.cpu)
            .map(|(a, b)| 1e6 * (a - b) / ops);
        let written = written_bytes()
            .zip(self.written)
            .map(|(a, b)| (a - b) / ops);
        (cpu, written)
    }
}

/// CPU time this process has used so far (user and system, every thread), in seconds, from
/// `/proc/self/stat` (clock ticks, 100 a second on Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Rounds every fractional figure to four significant digits (what a measurement on a shared
/// machine can claim), so the report reads `0.1832 ms`, not `0.18316400000000002 ms`.
pub(super) fn tidy(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64().filter(|x| *x != 0.0 && x.is_finite()) {
                let digits = 4 - x.abs().log10().ceil() as i32;
                let scale = 10f64.powi(digits);
                if let Some(r) = serde_json::Number::from_f64((x * scale).round() / scale) {
                    *n = r;
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(tidy),
        Value::Object(o) => o.values_mut().for_each(tidy),
        _ => {}
    }
}

pub(super) fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    /// Figures are rounded to four significant digits; integers are left alone.
    #[test]
    fn tidy_rounds_to_four_significant_digits() {
        let mut v = serde_json::json!({"a": 0.18316400000000002, "b": [1234.5678, 3], "c": 0.0});
        super::tidy(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": 0.1832, "b": [1235.0, 3], "c": 0.0})
        );
    }
}
