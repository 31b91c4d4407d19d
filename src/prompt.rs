//! Prompt rendering: a [`Context`] laid out by the model's template.
//!
//! The template comes from the model manifest (or the GGUF's own FIM tokens); code
//! here only knows the two layouts. Stable parts come first so typing changes only the
//! prompt's end.

use crate::context::Context;
use crate::model::{PromptKind, PromptSpec};

/// How a snippet is written when the spec does not say: a comment naming its file, then its text.
const SNIPPET: &str = "{comment} {path}\n{text}\n\n";

/// A rendered prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The text; sentinels in a FIM template are control tokens the engine parses.
    pub text: String,
    /// Byte offset in `text` where the code before the cursor ends (where the model's
    /// answer goes, and where the engine heals the last token).
    pub cursor: usize,
}

/// Renders the prompt for a context in the layout of `spec`.
pub fn render(context: &Context, spec: &PromptSpec) -> Prompt {
    let layout = spec.snippet.as_deref().unwrap_or(SNIPPET);
    let mut snippets = String::new();
    for snippet in &context.snippets {
        snippets.push_str(
            &fill(
                layout,
                &[
                    ("comment", &context.comment),
                    ("path", &snippet.path),
                    ("text", &snippet.text),
                ],
            )
            .0,
        );
    }
    // The cursor's line apart from the lines above it, for layouts that write the line
    // after the middle marker: typing on a line then only adds to the prompt's end.
    let (above, line) = context
        .prefix
        .rfind('\n')
        .map_or(("", context.prefix.as_str()), |n| {
            context.prefix.split_at(n + 1)
        });
    let parts = [
        ("snippets", snippets.as_str()),
        ("preamble", context.preamble.as_str()),
        ("prefix", context.prefix.as_str()),
        ("above", above),
        ("line", line),
        ("suffix", context.prompt_suffix.as_str()),
        ("path", context.path.as_str()),
        ("repo", repo_name(&context.path)),
    ];
    if let Some(template) = &spec.template {
        let (text, cursor) = fill(template, &parts);
        let cursor = cursor.unwrap_or(text.len());
        return Prompt { text, cursor };
    }
    let body = format!("{snippets}{}{}", context.preamble, context.prefix);
    match fim_sentinels(spec) {
        Some((pre, suf, mid)) => Prompt {
            cursor: pre.len() + body.len(),
            text: format!("{pre}{body}{suf}{}{mid}", context.prompt_suffix),
        },
        None => Prompt {
            cursor: body.len(),
            text: body,
        },
    }
}

/// Whether prompts of this spec show the code after the cursor (so the context must cut it).
pub fn uses_suffix(spec: &PromptSpec) -> bool {
    match &spec.template {
        Some(template) => template.contains("{suffix}"),
        None => fim_sentinels(spec).is_some(),
    }
}

/// Replaces each `{name}` of `parts` in `template`, in one pass: text that comes from a
/// part is never read as a placeholder. Also returns where the code before the cursor
/// ends: after the `prefix` part, or the `line` part of a layout that splits it.
fn fill(template: &str, parts: &[(&str, &str)]) -> (String, Option<usize>) {
    let mut prefix_end = None;
    let mut out =
        String::with_capacity(template.len() + parts.iter().map(|p| p.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let part = parts
            .iter()
            .find(|(name, _)| after.starts_with(name) && after[name.len()..].starts_with('}'));
        match part {
            Some((name, text)) => {
                out.push_str(text);
                if *name == "prefix" || *name == "line" {
                    prefix_end = Some(out.len());
                }
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, prefix_end)
}

/// The three FIM sentinels, when the template is fill-in-the-middle and names them all.
fn fim_sentinels(spec: &PromptSpec) -> Option<(&str, &str, &str)> {
    if spec.kind != PromptKind::Fim {
        return None;
    }
    Some((
        spec.fim_prefix.as_deref()?,
        spec.fim_suffix.as_deref()?,
        spec.fim_middle.as_deref()?,
    ))
}

/// The markers of a fill-in-the-middle format: before the code before the cursor, before
/// the code after it, and where the model writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FimMarkers<'a> {
    pub prefix: &'a str,
    pub suffix: &'a str,
    pub middle: &'a str,
}

/// FIM formats clients send (Zed's edit prediction prompt formats, Continue's templates),
/// prefix-suffix-middle order.
const KNOWN_FIM: [FimMarkers<'static>; 5] = [
    // Qwen2.5-Coder, CodeGemma
    FimMarkers {
        prefix: "<|fim_prefix|>",
        suffix: "<|fim_suffix|>",
        middle: "<|fim_middle|>",
    },
    // StarCoder, StarCoder2
    FimMarkers {
        prefix: "<fim_prefix>",
        suffix: "<fim_suffix>",
        middle: "<fim_middle>",
    },
    // DeepSeek Coder
    FimMarkers {
        prefix: "<\u{ff5c}fim\u{2581}begin\u{ff5c}>",
        suffix: "<\u{ff5c}fim\u{2581}hole\u{ff5c}>",
        middle: "<\u{ff5c}fim\u{2581}end\u{ff5c}>",
    },
    // Code Llama
    FimMarkers {
        prefix: "<PRE> ",
        suffix: " <SUF>",
        middle: " <MID>",
    },
    // GLM-4
    FimMarkers {
        prefix: "<|code_prefix|>",
        suffix: "<|code_suffix|>",
        middle: "<|code_middle|>",
    },
];

/// Codestral's suffix-first format: `[SUFFIX]` the code after, `[PREFIX]` the code before.
const CODESTRAL: FimMarkers<'static> = FimMarkers {
    prefix: "[PREFIX]",
    suffix: "[SUFFIX]",
    middle: "",
};

/// A client's FIM prompt taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFim {
    pub markers: FimMarkers<'static>,
    /// The code before the cursor (with what the prompt wrote after the middle marker).
    pub prefix: String,
    pub suffix: String,
    /// Where the code before the cursor ends in the prompt (where token healing happens).
    pub prefix_end: usize,
}

/// Takes apart a prompt written in one of the FIM formats clients use; `None` for any other text.
pub fn split_fim(text: &str) -> Option<SplitFim> {
    for markers in KNOWN_FIM {
        let Some(pre) = text.find(markers.prefix) else {
            continue;
        };
        let prefix_start = pre + markers.prefix.len();
        let Some(suf) = text[prefix_start..]
            .find(markers.suffix)
            .map(|i| i + prefix_start)
        else {
            continue;
        };
        let suffix_start = suf + markers.suffix.len();
        let Some(mid) = text[suffix_start..]
            .find(markers.middle)
            .map(|i| i + suffix_start)
        else {
            continue;
        };
        let written = &text[mid + markers.middle.len()..];
        return Some(SplitFim {
            markers,
            prefix: format!("{}{written}", &text[prefix_start..suf]),
            suffix: text[suffix_start..mid].to_string(),
            prefix_end: if written.is_empty() { suf } else { text.len() },
        });
    }
    let suf = text.find(CODESTRAL.suffix)?;
    let pre = text.find(CODESTRAL.prefix).filter(|&p| p > suf)?;
    Some(SplitFim {
        markers: CODESTRAL,
        prefix: text[pre + CODESTRAL.prefix.len()..].to_string(),
        suffix: text[suf + CODESTRAL.suffix.len()..pre].to_string(),
        prefix_end: text.len(),
    })
}

/// The model's own FIM markers, when its prompts are fill-in-the-middle.
pub fn fim_markers(spec: &PromptSpec) -> Option<FimMarkers<'_>> {
    fim_sentinels(spec).map(|(prefix, suffix, middle)| FimMarkers {
        prefix,
        suffix,
        middle,
    })
}

/// The name a repository-level template gives the project: the folder of a two-part
/// display path ("app" of "app/models.py"), else "project".
fn repo_name(path: &str) -> &str {
    match path.split_once('/') {
        Some((folder, _)) if !folder.is_empty() => folder,
        _ => "project",
    }
}

/// A short path for snippet headers: the last two components of a path or `file://` URI.
pub fn display_path(uri: &str) -> String {
    let decoded = crate::document::uri::to_path(uri).map(|p| p.to_string_lossy().into_owned());
    let path = decoded.as_deref().unwrap_or(uri);
    let parts: Vec<&str> = path.rsplit('/').take(2).collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Mode, Snippet};

    fn context() -> Context {
        Context {
            snippets: vec![Snippet {
                path: "app/models.py".into(),
                text: "class User:\n    name: str".into(),
            }],
            preamble: "import os\n".into(),
            prefix: "def load():\n    u = User(".into(),
            suffix: ")\n".into(),
            prompt_suffix: ")\n".into(),
            mode: Mode::Line,
            comment: "#".into(),
            path: "app/main.py".into(),
        }
    }

    fn spec(kind: PromptKind) -> PromptSpec {
        PromptSpec {
            kind,
            add_bos: true,
            fim_prefix: Some("<P>".into()),
            fim_suffix: Some("<S>".into()),
            fim_middle: Some("<M>".into()),
            template: None,
            snippet: None,
        }
    }

    #[test]
    fn prefix_template_puts_snippets_then_preamble_then_prefix() {
        assert_eq!(
            render(&context(), &spec(PromptKind::Prefix)).text,
            "# app/models.py\nclass User:\n    name: str\n\nimport os\ndef load():\n    u = User("
        );
    }

    #[test]
    fn fim_template_wraps_prefix_and_suffix() {
        let prompt = render(&context(), &spec(PromptKind::Fim));
        assert!(prompt.text.starts_with("<P># app/models.py\n"));
        assert!(prompt.text.ends_with("u = User(<S>)\n<M>"));
        assert!(prompt.text[..prompt.cursor].ends_with("u = User("));
    }

    #[test]
    fn a_template_places_the_suffix_before_the_prefix() {
        let spec = PromptSpec {
            template: Some("{snippets}<S>{suffix}<P>{preamble}{prefix}<M>".into()),
            ..spec(PromptKind::Fim)
        };
        let prompt = render(&context(), &spec).text;
        assert_eq!(
            prompt,
            "# app/models.py\nclass User:\n    name: str\n\n<S>)\n<P>import os\ndef load():\n    u = User(<M>"
        );
        assert!(uses_suffix(&spec));
        assert!(!uses_suffix(&PromptSpec {
            template: Some("{prefix}".into()),
            ..spec.clone()
        }));
    }

    #[test]
    fn a_template_may_write_the_cursors_line_after_the_middle_marker() {
        let spec = PromptSpec {
            template: Some("<P>{preamble}{above}<S>{suffix}<M>{line}".into()),
            ..spec(PromptKind::Fim)
        };
        let prompt = render(&context(), &spec);
        assert_eq!(
            prompt.text,
            "<P>import os\ndef load():\n<S>)\n<M>    u = User("
        );
        assert_eq!(prompt.cursor, prompt.text.len());
        // Typing on the line only adds to the prompt's end.
        let mut typed = context();
        typed.prefix.push_str("na");
        let next = render(&typed, &spec).text;
        assert_eq!(next, format!("{}na", prompt.text));
        // A prefix without a line end is all line.
        typed.prefix = "x = ".into();
        assert!(render(&typed, &spec).text.ends_with("\n<S>)\n<M>x = "));
    }

    #[test]
    fn a_repository_level_template_names_each_file() {
        let spec = PromptSpec {
            template: Some("<R>{repo}\n{snippets}<F>{path}\n<P>{prefix}<S>{suffix}<M>".into()),
            snippet: Some("<F>{path}\n{text}\n".into()),
            ..spec(PromptKind::Fim)
        };
        let prompt = render(&context(), &spec);
        assert_eq!(prompt.text.len() - prompt.cursor, "<S>)\n<M>".len());
        assert_eq!(
            prompt.text,
            "<R>app\n<F>app/models.py\nclass User:\n    name: str\n<F>app/main.py\n<P>def load():\n    u = User(<S>)\n<M>"
        );
    }

    #[test]
    fn placeholders_inside_the_code_are_left_alone() {
        let mut context = context();
        context.prefix = "f\"{prefix}{x\"".into();
        context.snippets.clear();
        context.preamble.clear();
        assert_eq!(
            fill("{a}{prefix}}", &[("prefix", &context.prefix)]),
            ("{a}f\"{prefix}{x\"}".to_string(), Some(16))
        );
    }

    #[test]
    fn display_path_keeps_two_components() {
        assert_eq!(
            display_path("file:///home/a/proj/app/models.py"),
            "app/models.py"
        );
        assert_eq!(display_path("main.rs"), "main.rs");
    }

    #[test]
    fn fim_prompts_of_the_formats_clients_send_come_apart() {
        let cases = [
            (
                "<|fim_prefix|>def f(<|fim_suffix|>):\n<|fim_middle|>",
                "<|fim_prefix|>",
            ),
            (
                "<fim_prefix>def f(<fim_suffix>):\n<fim_middle>",
                "<fim_prefix>",
            ),
            ("<PRE> def f( <SUF>):\n <MID>", "<PRE> "),
            (
                "<\u{ff5c}fim\u{2581}begin\u{ff5c}>def f(<\u{ff5c}fim\u{2581}hole\u{ff5c}>):\n<\u{ff5c}fim\u{2581}end\u{ff5c}>",
                "<\u{ff5c}fim\u{2581}begin\u{ff5c}>",
            ),
            (
                "<|code_prefix|>def f(<|code_suffix|>):\n<|code_middle|>",
                "<|code_prefix|>",
            ),
            ("[SUFFIX]):\n[PREFIX]def f(", "[PREFIX]"),
        ];
        for (text, marker) in cases {
            let fim = split_fim(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (fim.prefix.as_str(), fim.suffix.as_str()),
                ("def f(", "):\n"),
                "{text}"
            );
            assert_eq!(fim.markers.prefix, marker);
            assert!(text[..fim.prefix_end].ends_with("def f("), "{text}");
        }
        // Text written after the middle marker is the start of the middle: part of the prefix.
        let fim = split_fim("<|fim_prefix|>a<|fim_suffix|>c<|fim_middle|>b").unwrap();
        assert_eq!(
            (fim.prefix.as_str(), fim.suffix.as_str(), fim.prefix_end),
            ("ab", "c", 45)
        );
        assert_eq!(split_fim("def f(): pass"), None);
        assert_eq!(split_fim("<|fim_prefix|>no suffix marker"), None);
    }
}
