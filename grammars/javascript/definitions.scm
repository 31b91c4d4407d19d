; Shared by typescript and tsx through `; inherits: javascript`: patterns here must
; compile against all three grammars, so names are matched as `(_)` where the
; grammars differ (identifier in javascript, type_identifier in typescript).

(function_declaration
  name: (identifier) @name) @definition

(generator_function_declaration
  name: (identifier) @name) @definition

(class_declaration
  name: (_) @name) @definition

(method_definition
  name: (_) @name) @definition

; Top-level `const`/`let`/`var` declarations, exported or not.
(program
  [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name))
  ] @definition)

(program
  (export_statement
    declaration: [
      (lexical_declaration
        (variable_declarator
          name: (identifier) @name))
      (variable_declaration
        (variable_declarator
          name: (identifier) @name))
    ] @definition))
