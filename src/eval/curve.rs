//! `nib eval --confidence`: how well the small model's confidence separates its right
//! answers from its wrong ones, and what handing the unsure ones to a larger model gives.
//!
//! The score is the answer's chance of being right by the model's fitted confidence model
//! (the geometric mean of its token probabilities where the manifest has none). In a run
//! where every request was escalated (`escalate = "always"`), each case carries both
//! answers, so one run gives every threshold: at threshold t the small model's answer
//! stands when it has one with a chance of t or more, and the larger model's (when it
//! came in time) is taken for the rest. A rule may set a line's start apart (where the
//! user waits after Enter and a larger model's lead is widest): its own threshold there.

use serde_json::{Value, json};

use super::Outcome;
use crate::bench::report::percentile;

/// One rule's figures; percentages.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The threshold for requests mid-line, and the one for requests at a line's start.
    pub threshold: f32,
    pub line_start_threshold: f32,
    /// Cases the small model answers on its own, and how often it is right on them.
    pub kept: f64,
    pub kept_exact: f64,
    /// Cases handed to the larger model, and how often the answer shown is right on them
    /// (`None` without an escalated run).
    pub escalated: f64,
    pub escalated_exact: Option<f64>,
    /// Exact match over all cases: the small model's where it stands, else the larger's.
    pub exact: Option<f64>,
    /// The median latency of that hybrid: the small model's time on every case, and the
    /// larger model's on the cases handed to it.
    pub p50_ms: Option<f64>,
}

/// The thresholds the curves step through: 0 to 1 in steps of 0.1.
fn steps() -> impl Iterator<Item = f32> {
    (0..=10).map(|step| step as f32 / 10.0)
}

/// One threshold for every request, over the cases where the small model ran.
pub fn curve(outcomes: &[Outcome]) -> Vec<Point> {
    steps().map(|t| point(outcomes, t, t)).collect()
}

/// Requests mid-line escalated below `mid`, those at a line's start below each threshold.
pub fn line_start_curve(outcomes: &[Outcome], mid: f32) -> Vec<Point> {
    steps().map(|t| point(outcomes, mid, t)).collect()
}

/// Every pair of thresholds (mid-line, line start): what a rule is chosen from on val.
pub fn grid(outcomes: &[Outcome]) -> Vec<Point> {
    steps()
        .flat_map(|mid| steps().map(move |start| (mid, start)))
        .map(|(mid, start)| point(outcomes, mid, start))
        .collect()
}

/// The hybrid that escalates mid-line answers below `mid` and line-start ones below
/// `start` (and those the small model has nothing for).
pub fn point(outcomes: &[Outcome], mid: f32, start: f32) -> Point {
    let ran: Vec<&Outcome> = outcomes.iter().filter(|o| o.chance.is_some()).collect();
    let both = !ran.is_empty() && ran.iter().all(|o| o.escalated);
    let n = ran.len().max(1) as f64;
    let percent = |count: usize, of: usize| 100.0 * count as f64 / of.max(1) as f64;
    let (kept, handed): (Vec<&Outcome>, Vec<&Outcome>) = ran.iter().partition(|o| {
        let threshold = if o.line_start { start } else { mid };
        o.small.is_some() && o.chance.is_some_and(|c| c >= threshold)
    });
    let small_right = kept.iter().filter(|o| o.small_exact()).count();
    let large_right = handed.iter().filter(|o| o.exact).count();
    let mut latencies: Vec<f64> = kept
        .iter()
        .map(|o| o.latency_ms - o.escalation_ms)
        .chain(handed.iter().map(|o| o.latency_ms))
        .collect();
    latencies.sort_by(f64::total_cmp);
    Point {
        threshold: mid,
        line_start_threshold: start,
        kept: 100.0 * kept.len() as f64 / n,
        kept_exact: percent(small_right, kept.len()),
        escalated: 100.0 * handed.len() as f64 / n,
        escalated_exact: both.then(|| percent(large_right, handed.len())),
        exact: both.then(|| percent(small_right + large_right, ran.len())),
        p50_ms: both.then(|| percentile(&latencies, 50.0)),
    }
}

impl Outcome {
    /// Whether the small model's own answer was right.
    pub fn small_exact(&self) -> bool {
        self.small.as_deref() == Some(self.expected.as_str())
    }
}

/// The curve as a table.
pub fn table(points: &[Point]) -> String {
    let mut out = format!(
        "{:>9} {:>10} {:>7} {:>13} {:>11} {:>17} {:>8} {:>8}\n",
        "mid-line",
        "line start",
        "kept %",
        "kept exact %",
        "escalated %",
        "escalated exact %",
        "exact %",
        "p50 ms"
    );
    let or_dash = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    for p in points {
        out.push_str(&format!(
            "{:>9.1} {:>10.1} {:>7.1} {:>13.1} {:>11.1} {:>17} {:>8} {:>8}\n",
            p.threshold,
            p.line_start_threshold,
            p.kept,
            p.kept_exact,
            p.escalated,
            or_dash(p.escalated_exact),
            or_dash(p.exact),
            p.p50_ms.map_or("-".to_string(), |v| format!("{v:.0}"))
        ));
    }
    out
}

pub fn json(points: &[Point]) -> Value {
    let round = |v: f64| (v * 10.0).round() / 10.0;
    Value::Array(
        points
            .iter()
            .map(|p| {
                json!({
                    "threshold": p.threshold,
                    "line_start_threshold": p.line_start_threshold,
                    "kept": round(p.kept),
                    "kept_exact": round(p.kept_exact),
                    "escalated": round(p.escalated),
                    "escalated_exact": p.escalated_exact.map(round),
                    "exact": p.exact.map(round),
                    "p50_ms": p.p50_ms.map(round),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(confidence: f32, small: Option<&str>, shown: Option<&str>) -> Outcome {
        Outcome {
            framework: "f".into(),
            language: "python".into(),
            at: "f.py:1:1".into(),
            expected: "x".into(),
            suggestion: shown.map(str::to_string),
            line_start: false,
            exact: shown == Some("x"),
            similarity: 0.0,
            latency_ms: 1.0,
            confidence: Some(confidence),
            cold: false,
            chance: Some(confidence),
            signals: None,
            escalated: true,
            escalation_used: true,
            escalation_ms: 1.0,
            small: small.map(str::to_string),
        }
    }

    #[test]
    fn each_threshold_keeps_the_sure_answers_and_hands_over_the_rest() {
        let outcomes = [
            case(0.9, Some("x"), Some("x")), // sure and right
            case(0.8, Some("y"), Some("x")), // sure and wrong; the larger is right
            case(0.3, Some("y"), Some("x")), // unsure and wrong; the larger is right
            case(0.2, None, Some("z")),      // nothing; the larger is wrong
        ];
        let points = curve(&outcomes);
        assert_eq!(points.len(), 11);
        let at = |t: usize| &points[t];
        // At 0 every answer the small model has stands; the empty one is handed over.
        assert_eq!((at(0).kept, at(0).escalated), (75.0, 25.0));
        assert_eq!(at(0).exact, Some(25.0));
        // At 0.5 the unsure one is handed over too, and the larger model gets it right.
        assert_eq!(at(5).kept, 50.0);
        assert_eq!(at(5).kept_exact, 50.0);
        assert_eq!(at(5).escalated_exact, Some(50.0));
        assert_eq!(at(5).exact, Some(50.0));
        // At 1 everything is handed over.
        assert_eq!(at(10).kept, 0.0);
        assert_eq!(at(10).exact, Some(75.0));
        // Without an escalated run, only the small model's side is known.
        let alone: Vec<Outcome> = outcomes
            .iter()
            .cloned()
            .map(|o| Outcome {
                escalated: false,
                ..o
            })
            .collect();
        assert_eq!(curve(&alone)[5].exact, None);
        assert_eq!(curve(&alone)[5].kept_exact, 50.0);
    }

    #[test]
    fn a_line_start_may_have_a_threshold_of_its_own() {
        let at_start = |o: Outcome| Outcome {
            line_start: true,
            ..o
        };
        let outcomes = [
            case(0.8, Some("x"), Some("x")),           // mid-line, sure and right
            at_start(case(0.8, Some("y"), Some("x"))), // line start, sure, wrong; larger right
            at_start(case(0.95, Some("x"), Some("x"))), // line start, very sure and right
        ];
        // One threshold of 0.7 keeps all three: 2 of 3 right.
        assert_eq!(point(&outcomes, 0.7, 0.7).exact, Some(200.0 / 3.0));
        // 0.9 at a line's start hands over the second only, and the larger gets it.
        let rule = point(&outcomes, 0.7, 0.9);
        assert_eq!((rule.threshold, rule.line_start_threshold), (0.7, 0.9));
        assert_eq!(rule.exact, Some(100.0));
        assert!((rule.kept - 200.0 / 3.0).abs() < 1e-9);
        let curve = line_start_curve(&outcomes, 0.7);
        assert!(curve.iter().all(|p| p.threshold == 0.7));
        assert_eq!(curve[9], rule);
        assert_eq!(grid(&outcomes).len(), 121);
        assert_eq!(grid(&outcomes)[7 * 11 + 9], rule);
    }
}
