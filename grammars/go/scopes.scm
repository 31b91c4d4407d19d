(function_declaration
  body: (block) @body) @scope

(method_declaration
  body: (block) @body) @scope

; Callbacks that frame what follows: `http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {`.
(call_expression
  arguments: (argument_list
    (func_literal
      body: (block) @body))) @scope

(type_declaration
  (type_spec
    type: (struct_type
      (field_declaration_list) @body))) @scope
