; Top-level definitions and the members of classes, each with its name.

(function_definition
  name: (identifier) @name) @definition

(class_definition
  name: (identifier) @name) @definition

; Module-level constants and variables: `TIMEOUT = 30`, `app: Flask = Flask(__name__)`.
(module
  (expression_statement
    (assignment
      left: (identifier) @name)) @definition)

; `type Vector = list[float]` (Python 3.12).
(type_alias_statement
  left: (type
    (identifier) @name)) @definition
