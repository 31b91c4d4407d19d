; inherits: javascript

(abstract_class_declaration
  name: (type_identifier) @name) @definition

(interface_declaration
  name: (type_identifier) @name) @definition

(type_alias_declaration
  name: (type_identifier) @name) @definition

(enum_declaration
  name: (identifier) @name) @definition

; `declare function f(x: number): void;` and overload signatures.
(function_signature
  name: (identifier) @name) @definition

(abstract_method_signature
  name: (_) @name) @definition

; `namespace Foo { ... }`, `module "foo" { ... }`.
(internal_module
  name: (_) @name) @definition

(module
  name: (_) @name) @definition
