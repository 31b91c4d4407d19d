//! `nib eval --fit-confidence`: fits the logistic model of an answer being right
//! (`[confidence] weights` in a model manifest) to the cases of a run, and says how much
//! better it separates right from wrong answers than the geometric mean does.
//!
//! Fit it on benches/val, never on the set it is reported on.

use super::Outcome;
use crate::engine::Signals;

/// What a fit gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// One per `Signals::NAMES`, for the raw (unscaled) features.
    pub weights: Vec<f32>,
    /// The cases fitted on, and how many of them were right.
    pub cases: usize,
    pub right: usize,
    /// Area under the ROC curve (0.5: no better than chance) of the geometric mean, of
    /// the fitted model on the cases it was fitted on, and of models fitted on four
    /// fifths of the cases scoring the fifth left out.
    pub auc_mean: f64,
    pub auc_fitted: f64,
    pub auc_held_out: f64,
}

/// Folds of the held-out estimate.
const FOLDS: usize = 5;
/// L2 penalty on the scaled weights (not the bias): keeps a small set from overfitting.
const L2: f64 = 0.01;

/// Fits on the cases where the small model had an answer to show (the others go to the
/// larger model whatever their score); `None` when they are all right or all wrong.
pub fn fit(outcomes: &[Outcome]) -> Option<Fit> {
    let samples: Vec<([f64; 6], bool, f64)> = outcomes
        .iter()
        .filter(|o| o.small.is_some())
        .filter_map(|o| {
            let signals: Signals = o.signals?;
            let x = signals.features().map(f64::from);
            Some((x, o.small_exact(), f64::from(o.confidence?)))
        })
        .collect();
    let right = samples.iter().filter(|s| s.1).count();
    if right == 0 || right == samples.len() {
        return None;
    }
    let xs: Vec<[f64; 6]> = samples.iter().map(|s| s.0).collect();
    let ys: Vec<bool> = samples.iter().map(|s| s.1).collect();
    let weights = logistic(&xs, &ys);
    let fitted: Vec<f64> = xs.iter().map(|x| dot(&weights, x)).collect();
    let mut held_out = vec![0.0; xs.len()];
    for fold in 0..FOLDS {
        let train: Vec<usize> = (0..xs.len()).filter(|i| i % FOLDS != fold).collect();
        let w = logistic(
            &train.iter().map(|&i| xs[i]).collect::<Vec<_>>(),
            &train.iter().map(|&i| ys[i]).collect::<Vec<_>>(),
        );
        for i in (0..xs.len()).filter(|i| i % FOLDS == fold) {
            held_out[i] = dot(&w, &xs[i]);
        }
    }
    let means: Vec<f64> = samples.iter().map(|s| s.2).collect();
    Some(Fit {
        weights: weights.iter().map(|&w| w as f32).collect(),
        cases: samples.len(),
        right,
        auc_mean: auc(&means, &ys),
        auc_fitted: auc(&fitted, &ys),
        auc_held_out: auc(&held_out, &ys),
    })
}

fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(w, x)| w * x).sum()
}

/// Logistic regression by gradient descent on standardized features (the first is the
/// constant 1), returned as weights of the raw features.
fn logistic(xs: &[[f64; 6]], ys: &[bool]) -> [f64; 6] {
    let n = xs.len() as f64;
    let mut mean = [0.0; 6];
    let mut scale = [1.0; 6];
    for j in 1..6 {
        mean[j] = xs.iter().map(|x| x[j]).sum::<f64>() / n;
        let var = xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
        scale[j] = if var > 1e-12 { var.sqrt() } else { 0.0 };
    }
    let z: Vec<[f64; 6]> = xs
        .iter()
        .map(|x| {
            let mut z = [1.0; 6];
            for j in 1..6 {
                z[j] = if scale[j] > 0.0 {
                    (x[j] - mean[j]) / scale[j]
                } else {
                    0.0
                };
            }
            z
        })
        .collect();
    let mut w = [0.0; 6];
    for _ in 0..5000 {
        let mut grad = [0.0; 6];
        for (z, &y) in z.iter().zip(ys) {
            let p = 1.0 / (1.0 + (-dot(&w, z)).exp());
            let err = p - f64::from(u8::from(y));
            for j in 0..6 {
                grad[j] += err * z[j] / n;
            }
        }
        for j in 0..6 {
            let penalty = if j == 0 { 0.0 } else { L2 * w[j] };
            w[j] -= 0.5 * (grad[j] + penalty);
        }
    }
    // Back to raw features: w_j z_j = (w_j / s_j) x_j - w_j m_j / s_j.
    let mut raw = [0.0; 6];
    raw[0] = w[0];
    for j in 1..6 {
        if scale[j] > 0.0 {
            raw[j] = w[j] / scale[j];
            raw[0] -= w[j] * mean[j] / scale[j];
        }
    }
    raw
}

/// The chance that a right answer scores above a wrong one (ties count half).
fn auc(scores: &[f64], right: &[bool]) -> f64 {
    let (mut above, mut pairs) = (0.0, 0.0);
    for (s, _) in scores.iter().zip(right).filter(|(_, r)| **r) {
        for (t, _) in scores.iter().zip(right).filter(|(_, r)| !**r) {
            pairs += 1.0;
            above += match s.total_cmp(t) {
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Equal => 0.5,
                std::cmp::Ordering::Less => 0.0,
            };
        }
    }
    if pairs == 0.0 { 0.5 } else { above / pairs }
}

/// The outcomes as scored by the fitted model.
pub fn rescored(outcomes: &[Outcome], fit: &Fit) -> Vec<Outcome> {
    let model = crate::model::Confidence {
        weights: fit.weights.clone(),
        ..Default::default()
    };
    outcomes
        .iter()
        .map(|o| Outcome {
            chance: o
                .confidence
                .zip(o.signals)
                .map(|(c, s)| model.chance(c, &s)),
            ..o.clone()
        })
        .collect()
}

/// The fit as a person reads it, with the manifest lines to paste.
pub fn report(fit: &Fit) -> String {
    let weights: Vec<String> = fit.weights.iter().map(|w| format!("{w:.4}")).collect();
    format!(
        "confidence model fitted on {} answers ({} right)\n\
         AUC (right above wrong): geometric mean {:.3}, fitted {:.3}, fitted held out ({FOLDS} folds) {:.3}\n\
         features: {}\n\
         in the model's manifest:\n[confidence]\nweights = [{}]\n",
        fit.cases,
        fit.right,
        fit.auc_mean,
        fit.auc_fitted,
        fit.auc_held_out,
        Signals::NAMES.join(", "),
        weights.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_right_answers_scored_above_wrong_ones() {
        assert_eq!(auc(&[0.9, 0.8, 0.1], &[true, true, false]), 1.0);
        assert_eq!(auc(&[0.1, 0.8, 0.9], &[true, true, false]), 0.0);
        assert_eq!(auc(&[0.5, 0.5], &[true, false]), 0.5);
    }

    fn outcome(signals: Signals, confidence: f32, right: bool) -> Outcome {
        Outcome {
            framework: "f".into(),
            language: "python".into(),
            at: "f.py:1:1".into(),
            expected: "x".into(),
            suggestion: Some(if right { "x" } else { "y" }.into()),
            line_start: false,
            exact: right,
            similarity: 0.0,
            latency_ms: 1.0,
            confidence: Some(confidence),
            cold: false,
            chance: Some(confidence),
            signals: Some(signals),
            escalated: false,
            escalation_used: false,
            escalation_ms: 0.0,
            small: Some(if right { "x" } else { "y" }.into()),
        }
    }

    #[test]
    fn the_fit_finds_the_signal_the_geometric_mean_misses() {
        // Right answers have a clear first token; the geometric mean says nothing.
        let outcomes: Vec<Outcome> = (0..60)
            .map(|i| {
                let right = i % 3 == 0;
                let signals = Signals {
                    mean_logprob: -0.3 - (i % 5) as f32 * 0.01,
                    min_logprob: -1.0,
                    first_margin: if right { 4.0 } else { 0.5 } + (i % 7) as f32 * 0.1,
                    tokens: 5 + i % 4,
                    natural_end: true,
                };
                outcome(signals, 0.7, right)
            })
            .collect();
        let fit = fit(&outcomes).expect("both kinds of answer");
        assert_eq!((fit.cases, fit.right), (60, 20));
        assert_eq!(fit.auc_mean, 0.5);
        assert!(fit.auc_fitted > 0.95, "{fit:?}");
        assert!(fit.auc_held_out > 0.95, "{fit:?}");
        assert!(
            fit.weights[3] > 0.0,
            "a wider margin means more likely right"
        );
        // The weights apply to the raw signals, as the manifest uses them.
        let model = crate::model::Confidence {
            weights: fit.weights.clone(),
            ..Default::default()
        };
        let chance = |o: &Outcome| model.chance(0.7, &o.signals.unwrap());
        assert!(chance(&outcomes[0]) > 0.5 && chance(&outcomes[1]) < 0.5);
    }

    #[test]
    fn nothing_to_fit_when_every_answer_is_alike() {
        let all_right: Vec<Outcome> = (0..5)
            .map(|_| outcome(Signals::default(), 0.5, true))
            .collect();
        assert_eq!(fit(&all_right), None);
    }
}
