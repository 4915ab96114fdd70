//! The figures of classical test theory as Moodle's quiz statistics report them: Moodle's bands
//! for the facility and discrimination indexes, the Pearson correlation, and the percentages
//! and rounding every figure of the report gets.

/// Moodle's bands for the facility index.
pub fn facility_band(f: f64) -> &'static str {
    match f {
        f if f <= 5.0 => "extremely difficult",
        f if f <= 10.0 => "very difficult",
        f if f <= 20.0 => "difficult",
        f if f <= 34.0 => "moderately difficult",
        f if f <= 65.0 => "about right",
        f if f <= 80.0 => "fairly easy",
        f if f <= 89.0 => "easy",
        f if f <= 94.0 => "very easy",
        _ => "extremely easy",
    }
}

/// Moodle's bands for the discrimination index.
pub fn discrimination_band(d: f64) -> &'static str {
    match d {
        d if d < 0.0 => "invalid (negative)",
        d if d < 20.0 => "very weak",
        d if d < 30.0 => "weak",
        d if d < 50.0 => "adequate",
        _ => "very good",
    }
}

/// Pearson correlation; None without variance or with fewer than three pairs.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return None;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

pub(super) fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

pub(super) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
