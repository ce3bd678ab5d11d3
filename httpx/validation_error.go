package httpx

import "strings"

// FieldError describes one invalid field of a 422 response, in the shape
// {"loc": ["email"], "msg": "...", "type": "value_error.email"}.
type FieldError struct {
	// Loc is the path to the field, using its wire name, e.g. ["email"].
	Loc []string `json:"loc"`
	// Msg is a human-readable message, e.g. "field required".
	Msg string `json:"msg"`
	// Type is a machine-readable kind, e.g. "value_error.missing".
	Type string `json:"type"`
}

// ValidationError is rendered by WriteError as 422 {"detail": [...]}.
type ValidationError struct {
	// Detail lists the invalid fields, in the order they were found.
	Detail []FieldError `json:"detail"`
}

// Error lists the invalid fields.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Detail))
	for i, f := range e.Detail {
		parts[i] = strings.Join(f.Loc, ".") + ": " + f.Msg
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Add appends a field error and returns e for chaining.
func (e *ValidationError) Add(loc []string, msg, typ string) *ValidationError {
	e.Detail = append(e.Detail, FieldError{Loc: loc, Msg: msg, Type: typ})
	return e
}
