//! Prompt rendering: a [`Context`] laid out by the model's template.
//!
//! The template comes from the model manifest (or the GGUF's own FIM tokens); code
//! here only knows the two layouts. Stable parts come first so typing changes only the
//! prompt's end.

use crate::context::Context;
use crate::model::{PromptKind, PromptSpec};

/// Renders the prompt text. Sentinels in a FIM template are control tokens the engine parses.
pub fn render(context: &Context, spec: &PromptSpec) -> String {
    let mut snippets = String::new();
    for snippet in &context.snippets {
        snippets.push_str(&context.comment);
        snippets.push(' ');
        snippets.push_str(&snippet.path);
        snippets.push('\n');
        snippets.push_str(&snippet.text);
        snippets.push_str("\n\n");
    }
    let parts = [
        ("snippets", snippets.as_str()),
        ("preamble", context.preamble.as_str()),
        ("prefix", context.prefix.as_str()),
        ("suffix", context.prompt_suffix.as_str()),
    ];
    if let Some(template) = &spec.template {
        return fill(template, &parts);
    }
    let body = format!("{snippets}{}{}", context.preamble, context.prefix);
    match fim_sentinels(spec) {
        Some((pre, suf, mid)) => format!("{pre}{body}{suf}{}{mid}", context.prompt_suffix),
        None => body,
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
/// part is never read as a placeholder.
fn fill(template: &str, parts: &[(&str, &str)]) -> String {
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
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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

/// A short path for snippet headers: the last two components of a path or `file://` URI.
pub fn display_path(uri: &str) -> String {
    let path = uri.strip_prefix("file://").unwrap_or(uri);
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
        }
    }

    #[test]
    fn prefix_template_puts_snippets_then_preamble_then_prefix() {
        assert_eq!(
            render(&context(), &spec(PromptKind::Prefix)),
            "# app/models.py\nclass User:\n    name: str\n\nimport os\ndef load():\n    u = User("
        );
    }

    #[test]
    fn fim_template_wraps_prefix_and_suffix() {
        let prompt = render(&context(), &spec(PromptKind::Fim));
        assert!(prompt.starts_with("<P># app/models.py\n"));
        assert!(prompt.ends_with("u = User(<S>)\n<M>"));
    }

    #[test]
    fn a_template_places_the_suffix_before_the_prefix() {
        let spec = PromptSpec {
            template: Some("{snippets}<S>{suffix}<P>{preamble}{prefix}<M>".into()),
            ..spec(PromptKind::Fim)
        };
        let prompt = render(&context(), &spec);
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
    fn placeholders_inside_the_code_are_left_alone() {
        let mut context = context();
        context.prefix = "f\"{prefix}{x\"".into();
        context.snippets.clear();
        context.preamble.clear();
        assert_eq!(
            fill("{a}{prefix}}", &[("prefix", &context.prefix)]),
            "{a}f\"{prefix}{x\"}"
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
}
