; A decorated definition's scope is its inner def, so the header is the `def`/`class` line.

(class_definition
  body: (block) @body) @scope

(function_definition
  body: (block) @body) @scope
