use super::*;
use crate::language::LanguageRegistry;

/// One token per whitespace-separated word: easy to reason about in tests.
fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

fn numbered_lines(n: usize) -> String {
    (0..n).map(|i| format!("line {i}\n")).collect()
}

#[test]
fn window_starts_on_an_anchor_line_and_stays_put_while_typing() {
    let mut text = numbered_lines(100);
    let cursor = text.len();
    // 2 words a line: 60 words reach back 30 lines, to line 70; the first anchor below is 96.
    let start = prefix_start(&text, cursor, 60, &words);
    assert_eq!(&text[start..start + 8], "line 96\n");
    text.push_str("x = ");
    let start_after_typing = prefix_start(&text, text.len(), 60, &words);
    assert_eq!(start, start_after_typing);
}

#[test]
fn window_takes_the_whole_file_when_it_fits() {
    let text = numbered_lines(10);
    assert_eq!(prefix_start(&text, text.len(), 1000, &words), 0);
}

#[test]
fn window_falls_back_to_whole_lines_then_to_a_word_boundary() {
    let text = numbered_lines(40);
    // No anchor (0 or 32) fits 4 words; the last two lines do.
    let start = prefix_start(&text, text.len(), 4, &words);
    assert_eq!(&text[start..], "line 38\nline 39\n");

    let long = "alpha beta gamma delta epsilon";
    let start = prefix_start(long, long.len(), 2, &words);
    assert_eq!(&long[start..], "delta epsilon");
}

#[test]
fn suffix_ends_at_a_line_end_within_the_limit() {
    let text = "ab|cd\nef\ngh\n";
    let cursor = 2;
    assert_eq!(&text[cursor..suffix_end(text, cursor, 7)], "|cd\nef");
    assert_eq!(&text[cursor..suffix_end(text, cursor, 2)], "|c");
    assert_eq!(
        &text[cursor..suffix_end(text, cursor, 100)],
        "|cd\nef\ngh\n"
    );
}

#[test]
fn mode_is_block_on_an_empty_line_under_an_opener() {
    let python = LanguageRegistry::builtin().get("python").unwrap();
    let rust = LanguageRegistry::builtin().get("rust").unwrap();
    let text = "def f(x):\n    ";
    assert_eq!(
        mode(text, text.len(), Some(&python)),
        Mode::Block {
            opener_indent: 0,
            braces: false
        }
    );
    let text = "impl A {\n    fn x() {\n        \n    }\n}";
    let cursor = text.find("        \n").unwrap() + 8;
    assert_eq!(
        mode(text, cursor, Some(&rust)),
        Mode::Block {
            opener_indent: 4,
            braces: true
        }
    );
    assert_eq!(mode("x = foo(", 8, Some(&python)), Mode::Line);
    assert_eq!(mode("x = 1\n", 6, Some(&python)), Mode::Line);
}

#[test]
fn names_near_skip_the_word_being_typed() {
    let text = "user = load_user(42)\nprofile = user.pro";
    let names = names_near(text, text.len());
    assert_eq!(names, ["user", "profile", "load_user"]);
    // A short word being typed leaves the names before it alone.
    let text = "x = normalize_type(k";
    assert_eq!(names_near(text, text.len()), ["normalize_type"]);
}

fn python_source(text: &str) -> (tree_sitter::Tree, std::sync::Arc<crate::language::Language>) {
    let python = LanguageRegistry::builtin().get("python").unwrap();
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&python.grammar).unwrap();
    (parser.parse(text, None).unwrap(), python)
}

#[test]
fn build_keeps_imports_and_scope_headers_cut_off_above_the_window() {
    let mut text =
        String::from("import os\nfrom app import db\n\nclass Store:\n    def save(self, item):\n");
    for i in 0..80 {
        text.push_str(&format!("        step_{i} = item\n"));
    }
    text.push_str("        return ");
    let (tree, python) = python_source(&text);
    let source = Source {
        path: "store.py",
        text: &text,
        tree: Some(&tree),
        language: Some(&python),
    };
    let budget = Budget {
        tokens: 120,
        suffix_bytes: 100,
        suffix_tokens: 0,
    };
    let context = build(&source, text.len(), &[], budget, &words);
    assert!(context.prefix.ends_with("        return "));
    assert!(!context.prefix.contains("class Store"), "the window is cut");
    assert_eq!(
        context.preamble,
        "import os\nfrom app import db\nclass Store:\n    def save(self, item):\n"
    );
    assert_eq!(context.mode, Mode::Line);
    assert_eq!(context.comment, "#");
}

#[test]
fn build_brings_definitions_of_names_used_near_the_cursor() {
    let other =
        "def load_user(user_id):\n    return db.get(user_id)\n\ndef unrelated():\n    pass\n";
    let (other_tree, python) = python_source(other);
    let others: Vec<(String, Definition)> = definitions(other, &other_tree, &python)
        .into_iter()
        .map(|d| ("app/users.py".to_string(), d))
        .collect();
    assert_eq!(others.len(), 2);

    let text = "user = load_user(42)\nprint(user.";
    let (tree, _) = python_source(text);
    let source = Source {
        path: "main.py",
        text,
        tree: Some(&tree),
        language: Some(&python),
    };
    let context = build(&source, text.len(), &others, Budget::default(), &words);
    assert_eq!(
        context.snippets,
        [Snippet {
            path: "app/users.py".into(),
            text: "def load_user(user_id):\n    return db.get(user_id)".into()
        }]
    );
}

#[test]
fn build_without_a_tree_still_gives_prefix_and_suffix() {
    let text = "hello world\nsecond line";
    let source = Source {
        path: "notes.txt",
        text,
        tree: None,
        language: None,
    };
    let context = build(&source, 6, &[], Budget::default(), &words);
    assert_eq!(context.prefix, "hello ");
    assert_eq!(context.suffix, "world\nsecond line");
    assert!(context.snippets.is_empty() && context.preamble.is_empty());
}

#[test]
fn the_prompt_suffix_is_whole_lines_within_its_budget_and_ignores_typing() {
    let text = "def f(x):\n    y = \n    return y + 1\n\nprint(f(2))\n";
    let cursor = text.find("y = ").unwrap() + 4;
    let source = Source {
        path: "f.py",
        text,
        tree: None,
        language: None,
    };
    let budget = Budget {
        tokens: 100,
        suffix_bytes: 2048,
        suffix_tokens: 4,
    };
    let context = build(&source, cursor, &[], budget, &words);
    // "return y + 1" is 4 words; "print(f(2))" would make 5.
    assert_eq!(context.prompt_suffix, "\n    return y + 1\n\n");
    assert_eq!(context.suffix, &text[cursor..]);

    // Typing at the cursor leaves the prompt suffix as it was.
    let typed = text.replacen("y = ", "y = x *", 1);
    let source = Source {
        text: &typed,
        ..source
    };
    let again = build(&source, cursor + 3, &[], budget, &words);
    assert_eq!(again.prompt_suffix, context.prompt_suffix);

    let none = build(
        &source,
        cursor,
        &[],
        Budget {
            suffix_tokens: 0,
            ..budget
        },
        &words,
    );
    assert_eq!(none.prompt_suffix, "");
}
