(function_item
  body: (block) @body) @scope

(impl_item
  body: (declaration_list) @body) @scope

(trait_item
  body: (declaration_list) @body) @scope

(mod_item
  body: (declaration_list) @body) @scope

(struct_item
  body: (field_declaration_list) @body) @scope

(enum_item
  body: (enum_variant_list) @body) @scope
