//! A code vocabulary: which of a model's tokens a trimmed model keeps.
//!
//! Gemma 3's 262,144 tokens serve 140 languages; code uses a fraction of them, and the
//! output head (one row per token) is most of the cost of each decode step. A list of
//! kept token ids (models/vocab/*.txt, made by `nib vocab` from the training corpus) turns
//! the model into one whose head is that much smaller ([`super::gguf::trim_vocabulary`]).
//!
//! The kept set is closed so that tokenizing stays exact: llama.cpp's SentencePiece
//! tokenizer builds a token by merging adjacent pieces that are themselves tokens, best
//! score first. Keeping every token that is a substring of a kept token keeps every
//! intermediate piece, and since the surviving candidates keep their scores, text whose
//! original tokens are all kept tokenizes exactly as before. Other text falls back to
//! smaller pieces, down to the byte tokens, which are all kept: nothing becomes
//! unrepresentable.

use std::collections::HashMap;

/// Token types of llama.cpp's vocabulary (`tokenizer.ggml.token_type`).
const NORMAL: i64 = 1;
const CONTROL: i64 = 3;
const USER_DEFINED: i64 = 4;
const BYTE: i64 = 6;

/// Control tokens named `<unusedN>` with N below this stay (FIM sentinels come from them).
const UNUSED_KEPT: u32 = 100;

/// Which tokens to keep: the special ones (control tokens but the unused ones past
/// `<unused99>`, user-defined tokens, the 256 byte tokens), single characters of the Latin
/// and punctuation/symbol ranges, every normal token seen at least `min_count` times in
/// `counts`, and every token that is a substring of a kept one. Ascending ids.
pub fn select(tokens: &[&[u8]], types: &[i64], counts: &[u64], min_count: u64) -> Vec<u32> {
    let mut keep = vec![false; tokens.len()];
    for (id, (&text, &kind)) in tokens.iter().zip(types).enumerate() {
        let count = counts.get(id).copied().unwrap_or(0);
        keep[id] = match kind {
            CONTROL => unused_number(text).is_none_or(|n| n < UNUSED_KEPT),
            USER_DEFINED | BYTE => true,
            NORMAL => count >= min_count.max(1) || is_common_char(text),
            _ => false,
        };
    }
    let normal: HashMap<&[u8], usize> = tokens
        .iter()
        .zip(types)
        .enumerate()
        .filter(|(_, (_, kind))| **kind == NORMAL)
        .map(|(id, (&text, _))| (text, id))
        .collect();
    let seeds: Vec<usize> = (0..tokens.len())
        .filter(|&id| keep[id] && types[id] == NORMAL)
        .collect();
    for id in seeds {
        let text = tokens[id];
        for start in 0..text.len() {
            for end in start + 1..=text.len() {
                if let Some(&sub) = normal.get(&text[start..end]) {
                    keep[sub] = true;
                }
            }
        }
    }
    (0..tokens.len() as u32)
        .filter(|&id| keep[id as usize])
        .collect()
}

/// N of a `<unusedN>` token.
fn unused_number(text: &[u8]) -> Option<u32> {
    let digits = text.strip_prefix(b"<unused")?.strip_suffix(b">")?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// One character of the Latin, punctuation, arrow, math or box-drawing ranges.
fn is_common_char(text: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(text) else {
        return false;
    };
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => (c as u32) < 0x250 || (0x2000..0x2c00).contains(&(c as u32)),
        _ => false,
    }
}

/// The list as a file: `#` comment lines, then ids and ranges (`a-b`, inclusive).
pub fn write_list(keep: &[u32], comment: &str) -> String {
    let mut out: String = comment.lines().map(|l| format!("# {l}\n")).collect();
    let mut line = String::new();
    let mut i = 0;
    while i < keep.len() {
        let mut j = i;
        while j + 1 < keep.len() && keep[j + 1] == keep[j] + 1 {
            j += 1;
        }
        let item = if j > i {
            format!("{}-{}", keep[i], keep[j])
        } else {
            keep[i].to_string()
        };
        if line.len() + item.len() >= 100 {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clear();
        }
        line.push_str(&item);
        line.push(' ');
        i = j + 1;
    }
    if !line.is_empty() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Reads a list written by [`write_list`]: ascending ids without repeats.
pub fn parse_list(text: &str) -> Result<Vec<u32>, String> {
    let mut keep: Vec<u32> = Vec::new();
    for item in text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
    {
        let number = |s: &str| {
            s.parse::<u32>()
                .map_err(|_| format!("`{item}` is not a token id or a range a-b"))
        };
        let (first, last) = match item.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(item)?, number(item)?),
        };
        if first > last || keep.last().is_some_and(|&prev| prev >= first) {
            return Err(format!("`{item}` is out of order: ids must ascend"));
        }
        keep.extend(first..=last);
    }
    if keep.is_empty() {
        return Err("the list keeps no tokens".into());
    }
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_tokens_bring_their_pieces_and_the_specials() {
        let tokens: Vec<&[u8]> = vec![
            b"<pad>",
            b"<unused3>",
            b"<unused200>",
            b"<0x41>",
            b"\n\n",
            b"def",
            b"de",
            b"ef",
            b"xyz",
            b"x",
            "\u{4e2d}".as_bytes(),
            "\u{4e2d}\u{6587}".as_bytes(),
        ];
        let types = [3, 3, 3, 6, 4, 1, 1, 1, 1, 1, 1, 1];
        // Only `def` was seen; `x` and `中` are single characters, `中文` is not seen.
        let counts = [0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0];
        let keep = select(&tokens, &types, &counts, 1);
        assert_eq!(keep, [0, 1, 3, 4, 5, 6, 7, 9]);
        // A higher bar drops `def` and with it its pieces.
        assert_eq!(select(&tokens, &types, &counts, 8), [0, 1, 3, 4, 9]);
    }

    #[test]
    fn lists_round_trip_as_ranges() {
        let keep: Vec<u32> = [0, 1, 2, 3, 7, 9, 10].into_iter().chain(100..300).collect();
        let text = write_list(&keep, "made by a test\nsecond line");
        assert!(text.starts_with("# made by a test\n# second line\n0-3 7 9-10 100-299\n"));
        assert_eq!(parse_list(&text).unwrap(), keep);
        let many: Vec<u32> = (0..2000).map(|i| i * 2).collect();
        let text = write_list(&many, "");
        assert!(text.lines().all(|l| l.len() < 100));
        assert_eq!(parse_list(&text).unwrap(), many);
    }

    #[test]
    fn bad_lists_are_clear_errors() {
        assert!(parse_list("# nothing\n").unwrap_err().contains("no tokens"));
        assert!(parse_list("3 2").unwrap_err().contains("out of order"));
        assert!(parse_list("1-3 3").unwrap_err().contains("out of order"));
        assert!(parse_list("1 x").unwrap_err().contains("`x`"));
    }
}
