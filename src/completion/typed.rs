//! Typing through a suggestion: while what the user types matches the start of the
//! suggestion shown, the rest of it is the answer, without asking the model.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::Suggestion;

/// A suggestion as it was shown, with what surrounded the cursor then.
pub struct Shown {
    cursor: usize,
    /// Hash of the text before the cursor.
    before: u64,
    /// Hash of the text after the cursor.
    after: u64,
    suggestion: Suggestion,
}

impl Shown {
    pub fn new(text: &str, cursor: usize, suggestion: Suggestion) -> Shown {
        Shown {
            cursor,
            before: hash(&text[..cursor]),
            after: hash(&text[cursor..]),
            suggestion,
        }
    }

    /// The rest of the suggestion when `text` is the old text with part of the
    /// suggestion typed at the old cursor and the cursor after it; `None` otherwise.
    pub fn rest(&self, text: &str, cursor: usize) -> Option<Suggestion> {
        let typed = text.get(self.cursor..cursor)?;
        let rest = self.suggestion.text.strip_prefix(typed)?;
        let unchanged =
            hash(&text[..self.cursor]) == self.before && hash(&text[cursor..]) == self.after;
        (unchanged && !typed.is_empty() && !rest.trim().is_empty()).then(|| Suggestion {
            text: rest.to_string(),
            ..self.suggestion.clone()
        })
    }
}

fn hash(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::completion::Timings;

    fn shown() -> Shown {
        let suggestion = Suggestion {
            text: "std()".into(),
            replace_len: 0,
            confidence: 0.8,
            timings: Timings::default(),
        };
        Shown::new("x = array.\nprint(x)\n", 10, suggestion)
    }

    #[test]
    fn typing_the_suggestion_leaves_its_rest() {
        let rest = shown().rest("x = array.st\nprint(x)\n", 12).unwrap();
        assert_eq!(rest.text, "d()");
        assert_eq!(rest.confidence, 0.8);
    }

    #[test]
    fn anything_else_asks_the_model_again() {
        let shown = shown();
        assert!(
            shown.rest("x = array.m\nprint(x)\n", 11).is_none(),
            "typed off the suggestion"
        );
        assert!(
            shown.rest("y = array.st\nprint(x)\n", 12).is_none(),
            "edited before the cursor"
        );
        assert!(
            shown.rest("x = array.st\nprint(y)\n", 12).is_none(),
            "edited after the cursor"
        );
        assert!(
            shown.rest("x = array.\nprint(x)\n", 10).is_none(),
            "nothing typed"
        );
        assert!(
            shown.rest("x = array.std()\nprint(x)\n", 15).is_none(),
            "all of it typed"
        );
        assert!(shown.rest("x = arr", 7).is_none(), "cursor moved back");
    }
}
