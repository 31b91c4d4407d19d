//! `nib eval --compare`: does specialization pay? The same cases asked of the general
//! small model, of each lever alone (framework signatures, a framework adapter), of both
//! together (the specialized small model), and of the larger general model, in one run,
//! with one table per framework.
//!
//! Each arm is a run of its own (a fresh server, so no arm reads another's cache) on the
//! same cases. An arm that would run exactly like another is not run twice: without an
//! adapter trained on the small model, `auto` is the base model, so the adapter arm is
//! the general one and the specialized arm the signatures one; the table says so.

use serde_json::{Value, json};

use super::{Figures, Report};

/// One configuration of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// `general`, `signatures`, `adapter`, `specialized` or `large`.
    pub name: &'static str,
    /// What it is, for the table's legend.
    pub label: String,
    /// nib's settings for its run.
    pub settings: Value,
    /// The arm whose run this one is, when the two would run alike.
    pub same_as: Option<&'static str>,
}

/// The arms over `base` settings: the small model is the one `base` loads, `large` the
/// larger general model; `adapters` says whether any adapter is trained on the small one.
pub fn arms(base: &Value, small: &str, large: &str, adapters: bool) -> Vec<Arm> {
    let with = |adapter: &str, signatures: bool| {
        let mut s = base.clone();
        s["adapter"] = json!(adapter);
        s["signatures"] = json!(signatures);
        s
    };
    let no_adapter = (!adapters).then_some(());
    let mut large_settings = with("none", false);
    large_settings["model"] = json!(large);
    vec![
        Arm {
            name: "general",
            label: format!("{small}, base model"),
            settings: with("none", false),
            same_as: None,
        },
        Arm {
            name: "signatures",
            label: format!("{small}, framework signatures only"),
            settings: with("none", true),
            same_as: None,
        },
        Arm {
            name: "adapter",
            label: format!("{small}, framework adapter only"),
            settings: with("auto", false),
            same_as: no_adapter.map(|_| "general"),
        },
        Arm {
            name: "specialized",
            label: format!("{small}, adapter and signatures"),
            settings: with("auto", true),
            same_as: no_adapter.map(|_| "signatures"),
        },
        Arm {
            name: "large",
            label: format!("{large}, base model"),
            settings: large_settings,
            same_as: None,
        },
    ]
}

/// How much of the exact-match gap between the general small model and the larger one
/// `specialized` closes, in percent; `None` when there is no gap to close.
pub fn gap_closed(general: f64, specialized: f64, large: f64) -> Option<f64> {
    (large - general > 0.0).then(|| 100.0 * (specialized - general) / (large - general))
}

/// Each arm's figures for one group of cases (a framework, line start, all).
type Block<'a> = Vec<(&'a Arm, Option<Figures>)>;

/// Per group, in the first run's order, each arm's figures (each run's groups are
/// computed once).
fn blocks(runs: &[(Arm, Report)]) -> Vec<(String, Block<'_>)> {
    let grouped: Vec<(&Arm, Vec<(String, Figures)>)> =
        runs.iter().map(|(arm, r)| (arm, r.groups())).collect();
    let names: Vec<String> = grouped.first().map_or_else(Vec::new, |(_, groups)| {
        groups.iter().map(|(name, _)| name.clone()).collect()
    });
    names
        .into_iter()
        .map(|name| {
            let figures = grouped
                .iter()
                .map(|(arm, groups)| {
                    let found = groups.iter().find(|(g, _)| *g == name);
                    (*arm, found.map(|(_, f)| f.clone()))
                })
                .collect();
            (name, figures)
        })
        .collect()
}

fn exact_of(block: &Block, arm: &str) -> Option<f64> {
    block
        .iter()
        .find(|(a, _)| a.name == arm)
        .and_then(|(_, f)| f.as_ref().map(|f| f.exact))
}

/// The gap closed in one block ([`gap_closed`]; the signatures arm stands for the
/// specialized one when that was not run); `None` when an arm it needs has no figures.
fn block_gap(block: &Block) -> Option<Option<f64>> {
    let specialized = exact_of(block, "specialized").or(exact_of(block, "signatures"))?;
    let general = exact_of(block, "general")?;
    let large = exact_of(block, "large")?;
    Some(gap_closed(general, specialized, large))
}

/// One block per group: each arm's exact match, edit similarity and latency, and the
/// share of the gap to the larger model the specialized small model closes.
pub fn table(runs: &[(Arm, Report)], skipped: &[Arm]) -> String {
    let mut out = String::new();
    for (arm, _) in runs {
        out.push_str(&format!("{:<12} {}\n", arm.name, arm.label));
    }
    for arm in skipped {
        out.push_str(&format!(
            "{:<12} {}: not run, it would run as `{}` (no adapter is trained on this model)\n",
            arm.name,
            arm.label,
            arm.same_as.unwrap_or("-")
        ));
    }
    for (name, block) in blocks(runs) {
        let cases = block
            .iter()
            .find_map(|(_, f)| f.as_ref().map(|f| f.cases))
            .unwrap_or(0);
        out.push_str(&format!(
            "\n{name}, {cases} cases\n{:<12} {:>8} {:>9} {:>8} {:>8}\n",
            "arm", "exact %", "edit sim", "p50 ms", "p95 ms"
        ));
        for (arm, f) in &block {
            if let Some(f) = f {
                out.push_str(&format!(
                    "{:<12} {:>8.1} {:>9.1} {:>8.0} {:>8.0}\n",
                    arm.name, f.exact, f.similarity, f.p50_ms, f.p95_ms
                ));
            }
        }
        match block_gap(&block) {
            Some(Some(closed)) => out.push_str(&format!(
                "gap to large closed by specialized: {closed:.0}%\n"
            )),
            Some(None) => out.push_str("no gap to large: the general small model is as good\n"),
            None => {}
        }
    }
    out
}

/// The same as JSON: the arms, and per group each arm's figures and the gap closed.
pub fn json(runs: &[(Arm, Report)], skipped: &[Arm]) -> Value {
    let arms: Vec<Value> = runs
        .iter()
        .map(|(a, _)| json!({"name": a.name, "label": a.label, "settings": a.settings}))
        .chain(
            skipped
                .iter()
                .map(|a| json!({"name": a.name, "label": a.label, "same_as": a.same_as})),
        )
        .collect();
    let groups: serde_json::Map<String, Value> = blocks(runs)
        .into_iter()
        .map(|(name, block)| {
            let mut row = serde_json::Map::new();
            for (arm, f) in &block {
                if let Some(f) = f {
                    row.insert(arm.name.to_string(), f.json());
                }
            }
            if let Some(gap) = block_gap(&block) {
                row.insert("gap_closed".into(), json!(gap));
            }
            (name, Value::Object(row))
        })
        .collect();
    let cases: serde_json::Map<String, Value> = runs
        .iter()
        .map(|(a, r)| (a.name.to_string(), r.json()["cases"].clone()))
        .collect();
    json!({"arms": arms, "groups": groups, "cases": cases})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Outcome;

    fn report(exact: &[(&str, bool)]) -> Report {
        let outcomes = exact
            .iter()
            .map(|&(framework, exact)| {
                Outcome::sample(framework, Some("x"), exact, f64::from(u8::from(exact)))
            })
            .collect();
        Report {
            adapter: "none".into(),
            outcomes,
        }
    }

    #[test]
    fn without_an_adapter_for_the_small_model_its_arms_are_not_run_twice() {
        let base = json!({"deadline_ms": 10000});
        let all = arms(&base, "small", "big", false);
        let names: Vec<&str> = all.iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            ["general", "signatures", "adapter", "specialized", "large"]
        );
        assert_eq!(all[2].same_as, Some("general"));
        assert_eq!(all[3].same_as, Some("signatures"));
        assert_eq!(all[0].settings["signatures"], json!(false));
        assert_eq!(all[1].settings["signatures"], json!(true));
        assert_eq!(all[3].settings["adapter"], json!("auto"));
        assert_eq!(all[4].settings["model"], json!("big"));
        assert_eq!(all[4].settings["deadline_ms"], json!(10000));
        assert!(
            arms(&base, "small", "big", true)
                .iter()
                .all(|a| a.same_as.is_none())
        );
    }

    #[test]
    fn the_gap_closed_is_the_share_of_the_distance_to_the_large_model() {
        assert_eq!(gap_closed(20.0, 30.0, 40.0), Some(50.0));
        assert_eq!(gap_closed(20.0, 45.0, 40.0), Some(125.0));
        assert_eq!(gap_closed(20.0, 15.0, 40.0), Some(-25.0));
        assert_eq!(gap_closed(40.0, 45.0, 40.0), None);
    }

    #[test]
    fn the_table_has_a_block_per_framework_and_the_gap_each_closes() {
        let all = arms(&json!({}), "small", "big", false);
        let runs = vec![
            (
                all[0].clone(),
                report(&[("axum", false), ("axum", false), ("react", true)]),
            ),
            (
                all[1].clone(),
                report(&[("axum", true), ("axum", false), ("react", true)]),
            ),
            (
                all[4].clone(),
                report(&[("axum", true), ("axum", true), ("react", true)]),
            ),
        ];
        let skipped = vec![all[2].clone(), all[3].clone()];
        let table = table(&runs, &skipped);
        assert!(table.contains("adapter") && table.contains("would run as `general`"));
        // axum: general 0, signatures 50, large 100: half the gap; react: no gap.
        let axum = table.split("\naxum").nth(1).unwrap();
        assert!(
            axum.contains("gap to large closed by specialized: 50%"),
            "{table}"
        );
        let react = table.split("\nreact").nth(1).unwrap();
        assert!(react.contains("no gap to large"), "{table}");
        let json = json(&runs, &skipped);
        let all_closed = json["groups"]["all"]["gap_closed"].as_f64().unwrap();
        assert!((all_closed - 50.0).abs() < 1e-6, "{all_closed}");
        assert_eq!(json["arms"].as_array().unwrap().len(), 5);
    }
}
