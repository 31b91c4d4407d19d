//! LSP positions ⇄ byte offsets. The only place in nib that knows UTF-16.
//!
//! Lines are the rope's lines, which with ropey's `cr_lines` (and without `unicode_lines`) are
//! exactly LSP's: broken by `\n`, `\r\n` or `\r`.

use ropey::Rope;
use tower_lsp_server::gen_lsp_types::{Position, PositionEncodingKind};

/// What an LSP `Position.character` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units, LSP's default.
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (saves conversions), else UTF-16, which every client
    /// supports.
    pub fn negotiate(client_offers: Option<&[PositionEncodingKind]>) -> Encoding {
        let offers_utf8 = client_offers
            .unwrap_or_default()
            .iter()
            .any(|kind| kind.as_str() == PositionEncodingKind::UTF8.as_str());
        if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The kind to announce in the server's capabilities.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A position that is not in the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error(
        "position {line}:{character} is past the end of the document, which has {line_count} lines"
    )]
    LineOutOfRange {
        /// 0-based line asked for.
        line: u32,
        /// UTF-8 or UTF-16 code units, as negotiated.
        character: u32,
        /// Lines in the document (a final line break starts one more, empty line).
        line_count: usize,
    },
}

/// Byte offset of an LSP position.
///
/// A `character` past the end of its line clamps to the line end (before the line break), as
/// LSP says; a `line` past the last line is an error, except `line == line count` with
/// `character == 0`, which is the end of the text. A `character` inside a UTF-16 surrogate pair
/// or a UTF-8 sequence snaps back to the start of that char.
pub fn offset_at(text: &Rope, pos: Position, enc: Encoding) -> Result<usize, PositionError> {
    let line = pos.line as usize;
    let line_count = text.len_lines();
    if line >= line_count {
        return if line == line_count && pos.character == 0 {
            Ok(text.len_bytes())
        } else {
            Err(PositionError::LineOutOfRange {
                line: pos.line,
                character: pos.character,
                line_count,
            })
        };
    }
    let start_char = text.line_to_char(line);
    let end_char = start_char + line_len_chars(text, line);
    let char_index = match enc {
        Encoding::Utf8 => {
            let start = text.char_to_byte(start_char);
            let end = text.char_to_byte(end_char);
            let byte = start.saturating_add(pos.character as usize).min(end);
            text.byte_to_char(byte)
        }
        Encoding::Utf16 => {
            let start = text.char_to_utf16_cu(start_char);
            let end = text.char_to_utf16_cu(end_char);
            let unit = start.saturating_add(pos.character as usize).min(end);
            text.utf16_cu_to_char(unit)
        }
    };
    Ok(text.char_to_byte(char_index))
}

/// LSP position of a byte offset. An offset past the end means the end; one inside a
/// multi-byte char means that char's start.
pub fn position_at(text: &Rope, offset: usize, enc: Encoding) -> Position {
    let char_index = text.byte_to_char(offset.min(text.len_bytes()));
    let line = text.char_to_line(char_index);
    let start_char = text.line_to_char(line);
    let character = match enc {
        Encoding::Utf8 => text.char_to_byte(char_index) - text.char_to_byte(start_char),
        Encoding::Utf16 => text.char_to_utf16_cu(char_index) - text.char_to_utf16_cu(start_char),
    };
    Position::new(saturate(line), saturate(character))
}

/// Chars in `line`, without its line break (`\n`, `\r\n` or `\r`).
fn line_len_chars(text: &Rope, line: usize) -> usize {
    let slice = text.line(line);
    let mut len = slice.len_chars();
    for line_break in ['\n', '\r'] {
        if len > 0 && slice.char(len - 1) == line_break {
            len -= 1;
        }
    }
    len
}

/// LSP counts in u32; a 4 GiB line is not a real document.
fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn ropey_lines_are_lsp_lines() {
        // Guards the ropey features: `unicode_lines` would also break at \x0b, \x0c, U+0085,
        // U+2028 and U+2029, which LSP does not.
        let text = Rope::from_str("a\x0bb\x0cc\u{85}d\u{2028}e\u{2029}f");
        assert_eq!(text.len_lines(), 1);
        let text = Rope::from_str("a\nb\r\nc\rd");
        assert_eq!(text.len_lines(), 4);
    }

    #[test]
    fn negotiates_utf8_only_when_offered() {
        use PositionEncodingKind as Kind;
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(Some(&[])), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[Kind::UTF16, Kind::UTF32])),
            Encoding::Utf16
        );
        assert_eq!(
            Encoding::negotiate(Some(&[Kind::UTF16, Kind::UTF8])),
            Encoding::Utf8
        );
        let from_json = Kind::from("utf-8".to_owned());
        assert_eq!(Encoding::negotiate(Some(&[from_json])), Encoding::Utf8);
        assert_eq!(Encoding::Utf8.kind().as_str(), "utf-8");
        assert_eq!(Encoding::Utf16.kind().as_str(), "utf-16");
    }

    /// The position of `offset`, computed independently of ropey.
    fn expected_position(source: &str, offset: usize, enc: Encoding) -> Position {
        let before = source[..offset].replace("\r\n", "\n").replace('\r', "\n");
        let line = before.matches('\n').count();
        let line_text = before.rsplit('\n').next().unwrap();
        let character = match enc {
            Encoding::Utf8 => line_text.len(),
            Encoding::Utf16 => line_text.encode_utf16().count(),
        };
        pos(line as u32, character as u32)
    }

    /// Every char boundary that is not inside a `\r\n` maps to the right position and back.
    fn assert_round_trips(source: &str) {
        let text = Rope::from_str(source);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (offset, _) in source.char_indices().chain([(source.len(), ' ')]) {
                if source[..offset].ends_with('\r') && source[offset..].starts_with('\n') {
                    continue;
                }
                let position = position_at(&text, offset, enc);
                let context = format!("{source:?} offset {offset} {enc:?}");
                assert_eq!(
                    position,
                    expected_position(source, offset, enc),
                    "{context}"
                );
                assert_eq!(offset_at(&text, position, enc), Ok(offset), "{context}");
            }
        }
    }

    #[test]
    fn round_trips() {
        for source in [
            "",
            "plain ascii\nsecond line\n",
            "café = 'é'\n中文 = 1\n",
            "emoji 😀 and 🦀🦀\n𝕏 = 2",
            "crlf\r\nline two\r\n\r\nend",
            "lone\rcr\r\rmixed\n\r\n",
            "\n\n\n",
            "no newline at end",
        ] {
            assert_round_trips(source);
        }
    }

    #[test]
    fn utf16_counts_surrogate_pairs_as_two_units() {
        let text = Rope::from_str("a😀b\n中é");
        let b = "a😀".len();
        assert_eq!(position_at(&text, b, Encoding::Utf16), pos(0, 3));
        assert_eq!(position_at(&text, b, Encoding::Utf8), pos(0, 5));
        assert_eq!(offset_at(&text, pos(0, 3), Encoding::Utf16), Ok(b));
        // Inside the pair snaps to the emoji's start.
        assert_eq!(offset_at(&text, pos(0, 2), Encoding::Utf16), Ok(1));
        // Inside a UTF-8 sequence snaps too.
        assert_eq!(offset_at(&text, pos(0, 3), Encoding::Utf8), Ok(1));
        let e = "a😀b\n中".len();
        assert_eq!(position_at(&text, e, Encoding::Utf16), pos(1, 1));
        assert_eq!(position_at(&text, e, Encoding::Utf8), pos(1, 3));
        // An offset inside a char means that char's start.
        assert_eq!(position_at(&text, e + 1, Encoding::Utf8), pos(1, 3));
    }

    #[test]
    fn character_past_line_end_clamps_before_the_break() {
        let text = Rope::from_str("ab\r\ncd\ref\n\nlast");
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(offset_at(&text, pos(0, 99), enc), Ok(2));
            assert_eq!(offset_at(&text, pos(1, 3), enc), Ok(6));
            assert_eq!(offset_at(&text, pos(2, 7), enc), Ok(9));
            assert_eq!(offset_at(&text, pos(3, 1), enc), Ok(10));
            assert_eq!(offset_at(&text, pos(4, u32::MAX), enc), Ok(15));
        }
    }

    #[test]
    fn end_of_text() {
        let text = Rope::from_str("x = 1\n");
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(position_at(&text, 6, enc), pos(1, 0));
            assert_eq!(position_at(&text, 600, enc), pos(1, 0));
            assert_eq!(offset_at(&text, pos(1, 0), enc), Ok(6));
            assert_eq!(offset_at(&text, pos(1, 5), enc), Ok(6));
            // One line past the last line, at character 0, is still the end.
            assert_eq!(offset_at(&text, pos(2, 0), enc), Ok(6));
        }
        let empty = Rope::new();
        assert_eq!(offset_at(&empty, pos(0, 0), Encoding::Utf16), Ok(0));
        assert_eq!(offset_at(&empty, pos(1, 0), Encoding::Utf16), Ok(0));
        assert_eq!(position_at(&empty, 0, Encoding::Utf16), pos(0, 0));
    }

    #[test]
    fn line_past_the_end_is_an_error() {
        let text = Rope::from_str("one\ntwo");
        let error = offset_at(&text, pos(2, 1), Encoding::Utf16).unwrap_err();
        assert_eq!(
            error,
            PositionError::LineOutOfRange {
                line: 2,
                character: 1,
                line_count: 2
            }
        );
        assert!(error.to_string().contains("has 2 lines"), "{error}");
        assert!(offset_at(&text, pos(3, 0), Encoding::Utf8).is_err());
    }
}
