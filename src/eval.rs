//! `nib eval`: suggestion quality against held-out lines of real code, through the
//! real server path.
//!
//! Each case is a line of a file with its end taken out (from a column to the line's
//! end); the document is opened without it, an inline completion is asked for at the
//! cut, and the suggestion's first line is compared with what was there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::bench::report::percentile;

pub mod compare;
pub mod curve;
pub mod fit;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The eval set: a folder with cases.jsonl and the files they name, under files/ when
    /// there is one, else relative to the folder.
    pub set: PathBuf,
    /// nib's settings; `adapter` among them picks the adapter.
    pub settings: Value,
    /// Only cases of these frameworks (comma-separated).
    pub framework: Option<String>,
    /// At most this many cases per framework.
    pub limit: Option<usize>,
    /// Print every case: what was expected and what came.
    pub verbose: bool,
    /// Leave the last word of each hole (and what follows it) on the line: the cursor has
    /// code after it, as when editing in the middle of a line ([`with_tail`]).
    pub keep_tail: bool,
    pub load_timeout: std::time::Duration,
}

/// One held-out line.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub framework: String,
    pub language: String,
    pub package: String,
    /// Path under the set's files/ folder.
    pub file: String,
    /// 0-based line, and the byte column where the hole starts.
    pub line: usize,
    pub col: usize,
    /// The rest of the line that was taken out.
    pub expected: String,
    /// Text left on the line after the hole (see [`with_tail`]).
    #[serde(default)]
    pub tail: String,
}

/// The case with the last word of its hole and what follows it left on the line, the
/// rest of the hole to be filled: `Router::new()` becomes `Router::` before `new()`.
/// `None` when the hole has no word after its start.
pub fn with_tail(case: &Case) -> Option<Case> {
    let expected = case.expected.trim_end();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let (start, _) = expected
        .char_indices()
        .rev()
        .find(|&(i, c)| is_word(c) && !expected[..i].ends_with(is_word))?;
    let hole = &expected[..start];
    (!hole.trim().is_empty()).then(|| Case {
        expected: hole.to_string(),
        tail: expected[start..].to_string(),
        ..case.clone()
    })
}

/// What one case gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub framework: String,
    pub language: String,
    /// `file:line:col` (1-based line and column).
    pub at: String,
    pub expected: String,
    pub suggestion: Option<String>,
    /// The cursor sits right after the line's indentation (where it rests after Enter),
    /// not after code on the line.
    pub line_start: bool,
    pub exact: bool,
    /// 1 - edit distance / longer length, 0..1.
    pub similarity: f64,
    pub latency_ms: f64,
    /// The suggestion's confidence (0..1) and whether it came from the short window of a
    /// new spot; `None` when the model did not run.
    pub confidence: Option<f32>,
    pub cold: bool,
    /// Its chance of being right by the model's confidence model (what escalation
    /// compares with `escalate_below`), and the signals that was computed from.
    pub chance: Option<f32>,
    pub signals: Option<crate::engine::Signals>,
    /// The larger model was asked (`escalate_to`), and its answer is the suggestion.
    pub escalated: bool,
    pub escalation_used: bool,
    /// Of `latency_ms`, the time spent waiting for the larger model.
    pub escalation_ms: f64,
    /// The small model's suggestion: the same as `suggestion` unless the larger one's
    /// replaced it.
    pub small: Option<String>,
}

/// Figures for a group of cases.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub cases: usize,
    /// Percentages.
    pub exact: f64,
    pub similarity: f64,
    pub empty: f64,
    /// Answers that start with whitespace the expected text does not (the editor inserts
    /// it as it is, so the line ends up indented wrongly).
    pub extra_space: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

impl Figures {
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Figures {
        let outcomes: Vec<&Outcome> = outcomes.into_iter().collect();
        let n = outcomes.len().max(1) as f64;
        let share =
            |f: &dyn Fn(&Outcome) -> f64| 100.0 * outcomes.iter().map(|o| f(o)).sum::<f64>() / n;
        let mut latencies: Vec<f64> = outcomes.iter().map(|o| o.latency_ms).collect();
        latencies.sort_by(f64::total_cmp);
        Figures {
            cases: outcomes.len(),
            exact: share(&|o| f64::from(u8::from(o.exact))),
            similarity: share(&|o| o.similarity),
            empty: share(&|o| f64::from(u8::from(o.suggestion.is_none()))),
            extra_space: share(&|o| f64::from(u8::from(o.extra_space()))),
            p50_ms: percentile(&latencies, 50.0),
            p95_ms: percentile(&latencies, 95.0),
        }
    }

    fn json(&self) -> Value {
        json!({
            "cases": self.cases,
            "exact_match": round1(self.exact),
            "edit_similarity": round1(self.similarity),
            "empty": round1(self.empty),
            "extra_space": round1(self.extra_space),
            "p50_ms": round1(self.p50_ms),
            "p95_ms": round1(self.p95_ms),
        })
    }
}

impl Outcome {
    /// Whether the answer starts with whitespace that the expected text does not.
    pub fn extra_space(&self) -> bool {
        let starts_blank = |s: &str| s.starts_with(char::is_whitespace);
        self.suggestion.as_deref().is_some_and(starts_blank) && !starts_blank(&self.expected)
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A score (0..1) to three places, as the JSON shows it.
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The `adapter` setting the run used.
    pub adapter: String,
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// Figures per framework (with its languages), for the cursor at a line's start and
    /// mid-line, and for all cases.
    pub fn groups(&self) -> Vec<(String, Figures)> {
        let mut by: BTreeMap<&str, Vec<&Outcome>> = BTreeMap::new();
        for o in &self.outcomes {
            by.entry(&o.framework).or_default().push(o);
        }
        let mut out: Vec<(String, Figures)> = by
            .into_iter()
            .map(|(framework, v)| {
                let mut languages: Vec<&str> = v.iter().map(|o| o.language.as_str()).collect();
                languages.sort();
                languages.dedup();
                let name = format!("{framework} ({})", languages.join(", "));
                (name, Figures::of(v))
            })
            .collect();
        for (name, line_start) in [("at line start", true), ("mid-line", false)] {
            let group: Vec<&Outcome> = self
                .outcomes
                .iter()
                .filter(|o| o.line_start == line_start)
                .collect();
            if !group.is_empty() {
                out.push((name.into(), Figures::of(group)));
            }
        }
        out.push(("all".into(), Figures::of(&self.outcomes)));
        out
    }

    pub fn table(&self) -> String {
        let mut out = format!(
            "adapter setting: {}\n{:<32} {:>6} {:>8} {:>9} {:>7} {:>8} {:>8} {:>8}\n",
            self.adapter,
            "framework",
            "cases",
            "exact %",
            "edit sim",
            "empty %",
            "space %",
            "p50 ms",
            "p95 ms"
        );
        for (name, f) in self.groups() {
            out.push_str(&format!(
                "{name:<32} {:>6} {:>8.1} {:>9.1} {:>7.1} {:>8.1} {:>8.0} {:>8.0}\n",
                f.cases, f.exact, f.similarity, f.empty, f.extra_space, f.p50_ms, f.p95_ms
            ));
        }
        out
    }

    pub fn json(&self) -> Value {
        let groups: serde_json::Map<String, Value> = self
            .groups()
            .into_iter()
            .map(|(k, f)| (k, f.json()))
            .collect();
        let cases: Vec<Value> = self
            .outcomes
            .iter()
            .map(|o| {
                json!({
                    "at": o.at,
                    "framework": o.framework,
                    "expected": o.expected,
                    "suggestion": o.suggestion,
                    "line_start": o.line_start,
                    "exact": o.exact,
                    "similarity": round1(100.0 * o.similarity),
                    "latency_ms": round1(o.latency_ms),
                    "confidence": o.confidence.map(round3),
                    "cold": o.cold,
                    "chance": o.chance.map(round3),
                    "signals": o.signals,
                    "escalated": o.escalated,
                    "escalation_used": o.escalation_used,
                    "escalation_ms": round1(o.escalation_ms),
                    "small": o.small,
                })
            })
            .collect();
        json!({"adapter": self.adapter, "groups": groups, "cases": cases})
    }
}

/// A suggestion's first line as a case compares it; `None` when it is empty.
fn first_line(text: &str) -> Option<String> {
    Some(text.split('\n').next().unwrap_or("").trim_end().to_string()).filter(|s| !s.is_empty())
}

/// Reads an eval set's cases.
pub fn load_cases(set: &Path) -> anyhow::Result<Vec<Case>> {
    let path = set.join("cases.jsonl");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The file with the case's hole: the text without the rest of the line, and the cursor.
pub fn holed(text: &str, case: &Case) -> anyhow::Result<(String, usize)> {
    let start: usize = text
        .split_inclusive('\n')
        .take(case.line)
        .map(str::len)
        .sum();
    let line = text[start..].split('\n').next().unwrap_or("");
    let cursor = start + case.col;
    anyhow::ensure!(
        case.col <= line.len() && text.is_char_boundary(cursor),
        "{}:{}: column {} is outside the line",
        case.file,
        case.line + 1,
        case.col
    );
    let line_end = start + line.trim_end_matches('\r').len();
    Ok((
        format!("{}{}{}", &text[..cursor], case.tail, &text[line_end..]),
        cursor,
    ))
}

/// How close two strings are: 1 - Levenshtein distance (in chars) / the longer length.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    1.0 - row[b.len()] as f64 / a.len().max(b.len()) as f64
}

/// Runs every case (progress on stderr).
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let mut cases = load_cases(&options.set)?;
    if let Some(frameworks) = &options.framework {
        cases.retain(|c| frameworks.split(',').any(|f| f.trim() == c.framework));
    }
    if options.keep_tail {
        let all = cases.len();
        cases = cases.iter().filter_map(with_tail).collect();
        eprintln!(
            "nib: {} of {all} cases have a word to leave after the cursor",
            cases.len()
        );
    }
    if let Some(limit) = options.limit {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        cases.retain(|c| {
            let n = seen.entry(c.framework.clone()).or_default();
            *n += 1;
            *n <= limit
        });
    }
    anyhow::ensure!(
        !cases.is_empty(),
        "no cases to run in {}",
        options.set.display()
    );
    let (client, completer) =
        crate::bench::typing::start(options.settings.clone(), options.load_timeout).await?;
    let adapter = options.settings["adapter"]
        .as_str()
        .unwrap_or("auto")
        .to_string();
    // Files are under files/ (as evalset.py writes them), or relative to the set itself.
    let files = match options.set.join("files") {
        dir if dir.is_dir() => dir,
        _ => options.set.clone(),
    };
    let mut outcomes = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let path = std::fs::canonicalize(files.join(&case.file))
            .map_err(|e| anyhow::anyhow!("{}: {e}", case.file))?;
        let text = std::fs::read_to_string(&path)?;
        let (document, cursor) = holed(&text, case)?;
        let line_start = crate::context::at_line_start(&document, cursor);
        let uri = crate::document::uri::from_path(&path);
        client.open(&uri, "", &document).await;
        if i == 0 || cases[i - 1].framework != case.framework {
            let language = crate::language::LanguageRegistry::builtin().detect(None, &case.file);
            let snapshot = crate::document::Document::open(&document, 1, language).snapshot();
            eprintln!(
                "nib: {} cases: {}",
                case.framework,
                completer.describe(&uri, &snapshot)
            );
        }
        // Requests index framework signatures in the background; the eval waits for them.
        let language = crate::language::LanguageRegistry::builtin().detect(None, &case.file);
        completer.index_signatures(
            &uri,
            &crate::document::Document::open(&document, 1, language).snapshot(),
        );
        let runs = completer.counters().generations;
        let started = Instant::now();
        let answer = client
            .inline_completion(&uri, case.line as u32, case.col as u32)
            .await
            .map_err(|e| anyhow::anyhow!("{}:{}: {e:?}", case.file, case.line + 1))?;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let ran = completer
            .last_timings()
            .filter(|_| completer.counters().generations > runs);
        client.close(&uri).await;
        let suggestion = answer["items"][0]["insertText"]
            .as_str()
            .and_then(first_line);
        let escalation = ran.as_ref().and_then(|t| t.escalation.clone());
        let small = match &escalation {
            Some(e) => e.small.as_deref().and_then(first_line),
            None => suggestion.clone(),
        };
        let predicted = suggestion.as_deref().unwrap_or("");
        let expected = case.expected.trim_end();
        if options.verbose {
            eprintln!(
                "{}:{}:{} expected {expected:?}, got {predicted:?} ({latency_ms:.0} ms)",
                case.file,
                case.line + 1,
                case.col + 1
            );
        }
        outcomes.push(Outcome {
            framework: case.framework.clone(),
            language: case.language.clone(),
            at: format!("{}:{}:{}", case.file, case.line + 1, case.col + 1),
            expected: expected.to_string(),
            exact: predicted == expected,
            similarity: similarity(predicted, expected),
            suggestion,
            line_start,
            latency_ms,
            confidence: ran.as_ref().map(|t| t.confidence),
            cold: ran.as_ref().is_some_and(|t| t.engine.cold),
            chance: ran.as_ref().map(|t| t.chance),
            signals: ran.as_ref().map(|t| t.signals),
            escalated: escalation.is_some(),
            escalation_used: escalation.as_ref().is_some_and(|e| e.used),
            escalation_ms: escalation.as_ref().map_or(0.0, |e| e.ms),
            small,
        });
        if (i + 1) % 10 == 0 || i + 1 == cases.len() {
            let f = Figures::of(&outcomes);
            eprintln!(
                "nib: {}/{} cases, exact {:.1}%, edit similarity {:.1}%",
                i + 1,
                cases.len(),
                f.exact,
                f.similarity
            );
        }
    }
    client.shutdown().await;
    Ok(Report { adapter, outcomes })
}

#[cfg(test)]
impl Outcome {
    /// A mid-line case of `framework` that expected "x" and got `suggestion`, in 10 ms.
    pub(crate) fn sample(
        framework: &str,
        suggestion: Option<&str>,
        exact: bool,
        similarity: f64,
    ) -> Outcome {
        Outcome {
            framework: framework.into(),
            language: "python".into(),
            at: "f.py:1:1".into(),
            expected: "x".into(),
            suggestion: suggestion.map(str::to_string),
            line_start: false,
            exact,
            similarity,
            latency_ms: 10.0,
            confidence: None,
            cold: false,
            chance: None,
            signals: None,
            escalated: false,
            escalation_used: false,
            escalation_ms: 0.0,
            small: suggestion.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(line: usize, col: usize, expected: &str) -> Case {
        Case {
            framework: "fastapi".into(),
            language: "python".into(),
            package: "p".into(),
            file: "f.py".into(),
            line,
            col,
            expected: expected.into(),
            tail: String::new(),
        }
    }

    #[test]
    fn a_tail_leaves_the_holes_last_word_on_the_line() {
        let router = with_tail(&case(1, 6, "Router::new() ")).unwrap();
        assert_eq!(
            (router.expected.as_str(), router.tail.as_str()),
            ("Router::", "new()")
        );
        let (doc, _) = holed("a\napp = Router::new()\nb\n", &router).unwrap();
        assert_eq!(doc, "a\napp = new()\nb\n");
        let quoted = with_tail(&case(0, 0, "'right-{token}-{value}'")).unwrap();
        assert_eq!(quoted.tail, "value}'");
        assert!(
            with_tail(&case(0, 0, "boolean;")).is_none(),
            "one word: nothing left to fill"
        );
        assert!(with_tail(&case(0, 0, "  x")).is_none());
    }

    #[test]
    fn a_hole_removes_the_rest_of_the_line_only() {
        let text = "import os\napp = FastAPI()\r\nprint(app)\n";
        let (doc, cursor) = holed(text, &case(1, 6, "FastAPI()")).unwrap();
        assert_eq!(doc, "import os\napp = \r\nprint(app)\n");
        assert_eq!(cursor, 16);
        assert!(holed(text, &case(0, 40, "")).is_err());
    }

    #[test]
    fn similarity_is_one_minus_normalised_edit_distance() {
        assert_eq!(similarity("abc", "abc"), 1.0);
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("", "abcd"), 0.0);
        assert!((similarity("kitten", "sitting") - (1.0 - 3.0 / 7.0)).abs() < 1e-9);
    }

    #[test]
    fn figures_count_exact_empty_and_similarity() {
        let outcome =
            |s: Option<&str>, exact, similarity| Outcome::sample("f", s, exact, similarity);
        let f = Figures::of(&[
            outcome(Some("a"), true, 1.0),
            outcome(None, false, 0.0),
            outcome(Some("b"), false, 0.5),
            outcome(Some("  c"), false, 0.5),
        ]);
        assert_eq!(f.cases, 4);
        assert_eq!(f.exact, 25.0);
        assert_eq!(f.empty, 25.0);
        assert_eq!(f.similarity, 50.0);
        assert_eq!(f.extra_space, 25.0);
    }
}
