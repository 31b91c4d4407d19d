//! Prompt rendering: a [`Context`] laid out by the model's template.
//!
//! The template comes from the model manifest (or the GGUF's own FIM tokens); code
//! here only knows the two layouts. Stable parts come first so typing changes only the
//! prompt's end.

use crate::context::Context;
use crate::model::{PromptKind, PromptSpec};

/// Renders the prompt text. Sentinels in a FIM template are control tokens the engine parses.
pub fn render(context: &Context, spec: &PromptSpec) -> String {
    let mut body = String::new();
    for snippet in &context.snippets {
        body.push_str(&context.comment);
        body.push(' ');
        body.push_str(&snippet.path);
        body.push('\n');
        body.push_str(&snippet.text);
        body.push_str("\n\n");
    }
    body.push_str(&context.preamble);
    body.push_str(&context.prefix);
    match fim_sentinels(spec) {
        Some((pre, suf, mid)) => format!("{pre}{body}{suf}{}{mid}", context.suffix),
        None => body,
    }
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
    fn display_path_keeps_two_components() {
        assert_eq!(
            display_path("file:///home/a/proj/app/models.py"),
            "app/models.py"
        );
        assert_eq!(display_path("main.rs"), "main.rs");
    }
}
