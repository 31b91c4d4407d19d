//! Token healing: the cursor sits wherever the user stopped typing, so the code before it
//! usually ends inside a token ("array.s" + "dev()", "Router:" + ":new()", "= " +
//! "React", an indentation the model would have written as three spaces and " for"), and
//! that last token is one the model would rarely have chosen there. The prompt drops it,
//! and the first generated tokens must spell its text again: each one either starts with
//! what is left of it, or is a prefix of what is left and leaves the rest to the tokens
//! after it (multi-token healing, as the guidance library does it).

use llama_cpp_2::token::LlamaToken;

/// Most tokens taken back from the end of a prompt.
pub const MAX_TOKENS: usize = 3;

/// The text that generation must reproduce before it writes freely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healing {
    rest: Vec<u8>,
    /// The healed text is blank (an indentation, the space after `=`): the code starts
    /// right after it, not after more blanks, which the editor would insert as they are
    /// and leave the line indented wrongly. Set until a token after it has been chosen.
    code_next: bool,
}

fn is_blank(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

impl Healing {
    /// Drops the tokens of the last word of `before` (the prompt up to the cursor: at
    /// most [`MAX_TOKENS`] tokens with no whitespace between them) and returns the
    /// healing that spells them again; `None` when nothing should be healed: too short a
    /// prompt, or a last token that ends a line (the model starts a line on its own).
    /// A word, not a token: `self.na` reads as ` self` `.n` `a`, while the model writes
    /// `.name` as one token after ` self`. Control tokens at the end of `before` (text `""`)
    /// stay where they are.
    pub fn of<'p>(
        before: &mut Vec<LlamaToken>,
        piece: impl Fn(LlamaToken) -> &'p [u8],
    ) -> Option<Healing> {
        let tail = before
            .iter()
            .rev()
            .take_while(|&&t| piece(t).is_empty())
            .count();
        let end = before.len() - tail;
        let mut start = end.checked_sub(1)?;
        if start < 2 || piece(before[start]).contains(&b'\n') {
            return None;
        }
        while end - start < MAX_TOKENS && start > 2 {
            let (earlier, later) = (piece(before[start - 1]), piece(before[start]));
            let joined = !earlier.is_empty()
                && !earlier.contains(&b'\n')
                && !earlier.last().is_some_and(u8::is_ascii_whitespace)
                && !later.first().is_some_and(u8::is_ascii_whitespace);
            if !joined {
                break;
            }
            start -= 1;
        }
        let rest: Vec<u8> = before
            .drain(start..end)
            .flat_map(|t| piece(t).to_vec())
            .collect();
        Some(Healing::spelling(&rest))
    }

    /// The healing of `text`, for tests and tools that hold a text rather than a prompt.
    pub fn spelling(text: &[u8]) -> Healing {
        Healing {
            rest: text.to_vec(),
            code_next: !text.is_empty() && text.iter().all(is_blank),
        }
    }

    /// Whether healing is complete (generation is free from here on).
    pub fn is_done(&self) -> bool {
        self.rest.is_empty() && !self.code_next
    }

    /// Whether a token with this text may come next.
    pub fn allows(&self, piece: &[u8]) -> bool {
        if piece.is_empty() {
            return false;
        }
        if piece.starts_with(&self.rest) {
            // What follows the healed text is the answer's start: not more blanks.
            return !(self.code_next && piece[self.rest.len()..].first().is_some_and(is_blank));
        }
        self.rest.starts_with(piece)
    }

    /// How many bytes of a token with this text would spell the healed text.
    pub fn spelled_by(&self, piece: &[u8]) -> usize {
        piece.len().min(self.rest.len())
    }

    /// Records the token chosen next (one that [`Healing::allows`]); returns how many of its
    /// bytes spell the healed text, which is already in the document and not part of
    /// the answer.
    pub fn advance(&mut self, piece: &[u8]) -> usize {
        let spelled = self.spelled_by(piece);
        self.rest.drain(..spelled);
        if self.rest.is_empty() && piece.len() > spelled {
            self.code_next = false;
        }
        spelled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOCAB: [&str; 12] = [
        "", "def", "\n", "    ", "   ", " for", " ", "    \n", " self", ".n", "a", "x",
    ];

    fn piece(t: LlamaToken) -> &'static [u8] {
        VOCAB[t.0 as usize].as_bytes()
    }

    fn tokens(ids: &[i32]) -> Vec<LlamaToken> {
        ids.iter().map(|&i| LlamaToken(i)).collect()
    }

    #[test]
    fn the_last_token_is_dropped_and_control_tokens_stay() {
        // "def" "\n" "    " <control>
        let mut before = tokens(&[1, 2, 3, 0]);
        let healing = Healing::of(&mut before, piece).expect("heals");
        assert_eq!(before, tokens(&[1, 2, 0]));
        assert_eq!(healing, Healing::spelling(b"    "));
    }

    #[test]
    fn the_tokens_of_the_last_word_are_dropped() {
        // "def" "\n" "    " " self" ".n" "a": the word " self.na" is spelled again.
        let mut before = tokens(&[1, 2, 3, 8, 9, 10]);
        let healing = Healing::of(&mut before, piece).expect("heals");
        assert_eq!(before, tokens(&[1, 2, 3]));
        assert_eq!(healing, Healing::spelling(b" self.na"));
        // At most MAX_TOKENS of them: "x" "x" "x" "x" keeps the first.
        let mut long = tokens(&[1, 2, 11, 11, 11, 11]);
        let healing = Healing::of(&mut long, piece).expect("heals");
        assert_eq!(long, tokens(&[1, 2, 11]));
        assert_eq!(healing, Healing::spelling(b"xxx"));
        // A space between two tokens ends the word: "def" " for" heals " for" alone.
        let mut spaced = tokens(&[1, 2, 1, 5]);
        let healing = Healing::of(&mut spaced, piece).expect("heals");
        assert_eq!(spaced, tokens(&[1, 2, 1]));
        assert_eq!(healing, Healing::spelling(b" for"));
    }

    #[test]
    fn a_line_end_or_a_short_prompt_is_not_healed() {
        let mut ends_line = tokens(&[1, 3, 2]);
        assert_eq!(Healing::of(&mut ends_line, piece), None);
        assert_eq!(ends_line, tokens(&[1, 3, 2]));
        let mut short = tokens(&[1, 3]);
        assert_eq!(Healing::of(&mut short, piece), None);
    }

    #[test]
    fn an_indentation_is_spelled_by_a_shorter_run_and_the_next_word() {
        let mut healing = Healing::spelling(b"    ");
        // The natural continuation: three spaces, then " for".
        assert!(healing.allows(b"   "));
        assert!(healing.allows(b"    \n"));
        assert!(!healing.allows(b"def"));
        assert!(!healing.allows(b""));
        assert_eq!(healing.advance(b"   "), 3);
        assert!(!healing.is_done());
        assert!(healing.allows(b" for"));
        assert!(!healing.allows(b"for"));
        assert_eq!(healing.advance(b" for"), 1);
        assert!(healing.is_done());
    }

    #[test]
    fn the_code_starts_right_after_a_healed_indentation() {
        let mut healing = Healing::spelling(b"    ");
        // More indentation than the cursor's line has: the editor would insert it as is.
        assert!(!healing.allows(b"      "));
        assert!(!healing.allows(b"     if"));
        assert!(healing.allows(b"    if"));
        assert!(
            healing.allows(b"    \n"),
            "an empty line may still be the answer"
        );
        // A token that spells the indentation exactly: the next one may not be blank.
        assert_eq!(healing.advance(b"    "), 4);
        assert!(!healing.is_done());
        assert!(!healing.allows(b" "));
        assert!(!healing.allows(b"\tx"));
        assert!(healing.allows(b"if"));
        assert_eq!(healing.advance(b"if"), 0);
        assert!(healing.is_done());
        // A word is healed as before: what follows it may be anything.
        let word = Healing::spelling(b".s");
        assert!(word.allows(b".s "));
    }

    #[test]
    fn a_token_that_starts_with_the_text_completes_it_at_once() {
        let mut healing = Healing::spelling(b".s");
        assert!(healing.allows(b".sdev"));
        assert!(healing.allows(b"."));
        assert!(!healing.allows(b".t"));
        assert_eq!(healing.advance(b".sdev"), 2);
        assert!(healing.is_done());
    }
}
