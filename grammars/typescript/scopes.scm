; inherits: javascript

(abstract_class_declaration
  body: (class_body) @body) @scope

(interface_declaration
  body: (interface_body) @body) @scope

(enum_declaration
  body: (enum_body) @body) @scope

(internal_module
  body: (statement_block) @body) @scope

(module
  body: (statement_block) @body) @scope
