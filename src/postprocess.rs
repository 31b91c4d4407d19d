//! Post-processing: where a suggestion ends, and what of it is worth showing.
//!
//! Pure functions of the generated text and the text around the cursor.

use crate::context::{Mode, indent_width};
use crate::engine::Finish;

/// Most lines of a block suggestion.
pub const BLOCK_MAX_LINES: usize = 16;

/// When to stop generating: given the text so far, `Some(len)` keeps its first `len`
/// bytes. The model's stop strings end a suggestion wherever they appear.
pub fn stop_at(mode: &Mode, stop_strings: &[String], generated: &str) -> Option<usize> {
    let stop = stop_strings
        .iter()
        .filter_map(|s| generated.find(s.as_str()))
        .min();
    let end = match *mode {
        Mode::Line => generated.find('\n'),
        Mode::Block {
            opener_indent,
            braces,
        } => block_end(generated, opener_indent, braces),
    };
    [stop, end, whitespace_run(generated)]
        .into_iter()
        .flatten()
        .min()
}

/// Most whitespace a line may start with before the model counts as stuck on it: deeper
/// than any indentation, which small models fall into on a blank line (spaces until
/// `max_tokens`).
const MAX_LEADING_WHITESPACE: usize = 64;

/// The start of the last line when it is whitespace only and longer than
/// [`MAX_LEADING_WHITESPACE`]: the suggestion ends before it.
fn whitespace_run(generated: &str) -> Option<usize> {
    let start = generated.rfind('\n').map_or(0, |i| i + 1);
    let line = &generated[start..];
    (line.len() > MAX_LEADING_WHITESPACE && line.trim().is_empty()).then_some(start)
}

/// The end of a block body: before the first later line that dedents to the opener's
/// level (through it, when it closes a brace block), at two blank lines in a row, or
/// after [`BLOCK_MAX_LINES`] lines.
fn block_end(generated: &str, opener_indent: usize, braces: bool) -> Option<usize> {
    let mut offset = 0;
    let mut blank_run = 0;
    for (index, line) in generated.split_inclusive('\n').enumerate() {
        let complete = line.ends_with('\n');
        let content = line.trim_end_matches(['\n', '\r']);
        if index > 0 && !content.trim().is_empty() {
            let text = content.trim_start();
            let dedented = indent_width(content) <= opener_indent;
            if dedented && braces && text.starts_with(['}', ')', ']']) {
                // Wait for the closing line to end, then keep it.
                return complete.then_some(offset + content.len());
            }
            if dedented {
                return Some(offset.saturating_sub(1));
            }
        }
        if !complete {
            return None;
        }
        blank_run = if content.trim().is_empty() {
            blank_run + 1
        } else {
            0
        };
        if blank_run == 2 || index + 1 == BLOCK_MAX_LINES {
            return Some(offset + content.len());
        }
        offset += line.len();
    }
    None
}

/// What is worth keeping of a generation cut short by the deadline or the token limit:
/// the whole lines of a block; a line's text up to the last whole token (what was
/// generated). A generation that ended on its own is kept as it is.
pub fn complete_lines(generated: &str, finish: Finish, mode: &Mode) -> String {
    let cut = matches!(finish, Finish::Deadline | Finish::MaxTokens);
    match mode {
        Mode::Block { .. } if cut => generated.rsplit_once('\n').map_or("", |(lines, _)| lines),
        _ => generated,
    }
    .to_string()
}

/// A suggestion ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// Text to insert at the cursor.
    pub text: String,
    /// Bytes of existing text after the cursor that the suggestion replaces (closing
    /// brackets it re-types).
    pub replace_len: usize,
}

/// Cleans generated text for a cursor whose line reads `line_prefix` before it and
/// whose following text is `suffix`; `None` when nothing worth showing is left.
pub fn clean(generated: &str, mode: &Mode, prefix: &str, suffix: &str) -> Option<Cleaned> {
    let mut text = trim_lines(generated);
    let line_suffix = suffix.split('\n').next().unwrap_or("").trim_end();
    let mut replace_len = 0;
    match mode {
        Mode::Line if !line_suffix.is_empty() => {
            if let Some(stripped) = text.strip_suffix(line_suffix) {
                text = stripped.trim_end().to_string();
            } else if is_closing(line_suffix) && is_subsequence(line_suffix, &text) {
                replace_len = line_suffix.len();
            }
        }
        Mode::Line => {}
        Mode::Block { .. } => text = drop_lines_already_below(&text, suffix),
    }
    if text.trim().is_empty() || repeats_what_is_there(&text, replace_len, prefix, suffix) {
        return None;
    }
    Some(Cleaned { text, replace_len })
}

/// The line the model wrote when it skipped the one at the cursor: the first line of
/// `generated`, when it is the next line of code after the cursor (trimmed).
pub fn skipped_line(generated: &str, suffix: &str) -> Option<String> {
    let first = generated.lines().find(|l| !l.trim().is_empty())?.trim();
    let next = suffix.lines().find(|l| !l.trim().is_empty())?.trim();
    (first == next).then(|| first.to_string())
}

/// Trailing whitespace off every line, trailing blank lines dropped.
fn trim_lines(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').map(str::trim_end).collect();
    lines.join("\n").trim_end().to_string()
}

fn is_closing(text: &str) -> bool {
    text.chars().all(|c| ")]}>\"'`;:,. ".contains(c))
}

fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut chars = haystack.chars();
    needle.chars().all(|n| chars.any(|h| h == n))
}

/// Drops the suggestion's last lines when the text below the cursor starts with them
/// (a closing brace the editor already inserted, say).
fn drop_lines_already_below(text: &str, suffix: &str) -> String {
    let below: Vec<&str> = suffix
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut lines: Vec<&str> = text.lines().collect();
    for n in (1..=lines.len().min(below.len())).rev() {
        let tail = &lines[lines.len() - n..];
        if tail.iter().map(|l| l.trim()).eq(below[..n].iter().copied()) {
            lines.truncate(lines.len() - n);
            break;
        }
    }
    lines.join("\n").trim_end().to_string()
}

/// A suggestion that only re-types what is already there: the text right after the
/// cursor, or the line just above.
fn repeats_what_is_there(text: &str, replace_len: usize, prefix: &str, suffix: &str) -> bool {
    if replace_len == 0 && suffix.trim_start().starts_with(text.trim()) {
        return true;
    }
    let (before, line_prefix) = prefix.rsplit_once('\n').unwrap_or(("", prefix));
    let above = before.lines().rev().find(|l| !l.trim().is_empty());
    let first = format!("{line_prefix}{}", text.lines().next().unwrap_or(""));
    above.is_some_and(|above| above.trim() == first.trim() && text.lines().count() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: Mode = Mode::Block {
        opener_indent: 0,
        braces: false,
    };
    const BRACES: Mode = Mode::Block {
        opener_indent: 0,
        braces: true,
    };

    #[test]
    fn a_line_written_again_from_below_the_cursor_is_recognised() {
        let suffix = "\n\n    return (\n      <View/>\n";
        assert_eq!(skipped_line("return (", suffix), Some("return (".into()));
        assert_eq!(
            skipped_line("    return (\n", suffix),
            Some("return (".into())
        );
        assert_eq!(skipped_line("const x = 1;", suffix), None);
        assert_eq!(skipped_line("", suffix), None);
        assert_eq!(skipped_line("return (", "\n\n"), None);
    }

    #[test]
    fn line_mode_stops_at_the_newline() {
        assert_eq!(stop_at(&Mode::Line, &[], " np\nimport"), Some(3));
        assert_eq!(stop_at(&Mode::Line, &[], " np"), None);
    }

    #[test]
    fn a_run_of_whitespace_deeper_than_any_indent_ends_the_suggestion() {
        let spaces = " ".repeat(MAX_LEADING_WHITESPACE + 1);
        assert_eq!(stop_at(&Mode::Line, &[], &spaces), Some(0));
        assert_eq!(stop_at(&Mode::Line, &[], &spaces[1..]), None);
        let block = Mode::Block {
            opener_indent: 0,
            braces: false,
        };
        let text = format!("    x = 1\n{spaces}");
        assert_eq!(stop_at(&block, &[], &text), Some(10));
        assert_eq!(
            stop_at(&block, &[], &format!("    x = 1\n{}", &spaces[1..])),
            None
        );
    }

    #[test]
    fn stop_strings_end_the_suggestion() {
        let stop = ["<eos>".to_string()];
        assert_eq!(stop_at(&Mode::Line, &stop, "x)<eos>\n"), Some(2));
    }

    #[test]
    fn block_mode_stops_before_the_dedent() {
        let generated = "    x = 1\n    return x\ndef g():\n";
        let end = stop_at(&BLOCK, &[], generated).unwrap();
        assert_eq!(&generated[..end], "    x = 1\n    return x");
        // Not decided while the dedented line has no text yet.
        assert_eq!(stop_at(&BLOCK, &[], "    x = 1\n"), None);
    }

    #[test]
    fn brace_block_keeps_its_closing_line() {
        let generated = "    let x = 1;\n    x\n}\nfn other() {";
        let end = stop_at(&BRACES, &[], generated).unwrap();
        assert_eq!(&generated[..end], "    let x = 1;\n    x\n}");
        assert_eq!(stop_at(&BRACES, &[], "    x\n}"), None);
    }

    #[test]
    fn block_mode_stops_at_two_blank_lines_and_the_line_limit() {
        let generated = "    a()\n\n\n    b()\n";
        let end = stop_at(&BLOCK, &[], generated).unwrap();
        assert_eq!(generated[..end].trim_end(), "    a()");
        let long = "    x\n".repeat(BLOCK_MAX_LINES + 2);
        let end = stop_at(&BLOCK, &[], &long).unwrap();
        assert_eq!(long[..end].lines().count(), BLOCK_MAX_LINES);
    }

    #[test]
    fn a_cut_block_keeps_whole_lines() {
        let line = complete_lines("total = compute", Finish::Deadline, &Mode::Line);
        assert_eq!(line, "total = compute");
        let block = complete_lines("    a = 1\n    b = ", Finish::MaxTokens, &BLOCK);
        assert_eq!(block, "    a = 1");
        let done = complete_lines("x = compute", Finish::Stop, &Mode::Line);
        assert_eq!(done, "x = compute");
    }

    #[test]
    fn clean_trims_and_strips_the_line_suffix() {
        let c = clean("a, b)  ", &Mode::Line, "f(", ")").unwrap();
        assert_eq!(
            c,
            Cleaned {
                text: "a, b".into(),
                replace_len: 0
            }
        );
    }

    #[test]
    fn clean_replaces_closers_it_retypes() {
        let c = clean("a, b):", &Mode::Line, "if f(", ")").unwrap();
        assert_eq!(
            c,
            Cleaned {
                text: "a, b):".into(),
                replace_len: 1
            }
        );
    }

    #[test]
    fn clean_drops_a_closing_brace_already_below() {
        let c = clean("    return 1\n}", &BRACES, "fn f() {\n", "\n}\n").unwrap();
        assert_eq!(c.text, "    return 1");
    }

    #[test]
    fn clean_rejects_empty_and_repeated_text() {
        assert_eq!(clean("   \n", &Mode::Line, "x = ", ""), None);
        assert_eq!(clean(")", &Mode::Line, "f(x", ")"), None);
        assert_eq!(
            clean("x = compute()", &Mode::Line, "x = compute()\n", ""),
            None
        );
        assert!(clean("y = compute()", &Mode::Line, "x = compute()\n", "").is_some());
    }
}
