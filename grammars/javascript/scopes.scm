(class_declaration
  body: (class_body) @body) @scope

(class
  body: (class_body) @body) @scope

(function_declaration
  body: (statement_block) @body) @scope

(generator_function_declaration
  body: (statement_block) @body) @scope

(method_definition
  body: (statement_block) @body) @scope

; Functions assigned to names: `const App = () => { ... }`, `let f = function () { ... }`.
[
  (lexical_declaration
    (variable_declarator
      value: [
        (arrow_function
          body: (_) @body)
        (function_expression
          body: (_) @body)
      ]))
  (variable_declaration
    (variable_declarator
      value: [
        (arrow_function
          body: (_) @body)
        (function_expression
          body: (_) @body)
      ]))
] @scope

; `module.exports.handler = async (event) => { ... }`.
(expression_statement
  (assignment_expression
    right: [
      (arrow_function
        body: (_) @body)
      (function_expression
        body: (_) @body)
    ])) @scope

; Object members: `{ mounted() { ... } }` is a method_definition; `{ load: async () => { ... } }` is this.
(pair
  value: [
    (arrow_function
      body: (_) @body)
    (function_expression
      body: (_) @body)
  ]) @scope

; Callbacks that frame what follows: `describe("parser", () => {`, `app.get("/", (req, res) => {`.
(call_expression
  arguments: (arguments
    [
      (arrow_function
        body: (statement_block) @body)
      (function_expression
        body: (statement_block) @body)
    ])) @scope
