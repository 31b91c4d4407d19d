(function_item
  name: (identifier) @name) @definition

; Trait methods without a body.
(function_signature_item
  name: (identifier) @name) @definition

(struct_item
  name: (type_identifier) @name) @definition

(enum_item
  name: (type_identifier) @name) @definition

(union_item
  name: (type_identifier) @name) @definition

(trait_item
  name: (type_identifier) @name) @definition

; An impl is named by its self type: `impl<T> Display for Wrapper<T>` names `Wrapper<T>`.
(impl_item
  type: (_) @name) @definition

(type_item
  name: (type_identifier) @name) @definition

(const_item
  name: (identifier) @name) @definition

(static_item
  name: (identifier) @name) @definition

(mod_item
  name: (identifier) @name) @definition

(macro_definition
  name: (identifier) @name) @definition
