(import_statement) @import

; `const fs = require("fs")`, `var { join } = require("path")`.
([
  (lexical_declaration
    (variable_declarator
      value: (call_expression
        function: (identifier) @_require)))
  (variable_declaration
    (variable_declarator
      value: (call_expression
        function: (identifier) @_require)))
] @import
  (#eq? @_require "require"))
