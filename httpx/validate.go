package httpx

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

var (
	validatorsOnce sync.Once
	validators     map[string]*validator.Validate // by wire tag: "json", "form"
)

func validatorFor(tag string) *validator.Validate {
	validatorsOnce.Do(func() {
		validators = map[string]*validator.Validate{}
		for _, t := range []string{"json", "form"} {
			v := validator.New(validator.WithRequiredStructEnabled())
			v.RegisterTagNameFunc(func(sf reflect.StructField) string { return wireName(sf, t) })
			validators[t] = v
		}
	})
	return validators[tag]
}

// Validate checks v's `validate` struct tags (go-playground/validator) and
// returns a *ValidationError naming each invalid field by its wire name under
// tag ("json" or "form"), or nil when v is valid.
func Validate(v any, tag string) error {
	err := validatorFor(tag).Struct(v)
	if err == nil {
		return nil
	}
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) {
		return Internal(fmt.Errorf("httpx: validate: %w", err))
	}
	verr := new(ValidationError)
	for _, fe := range errs {
		msg, typ := describe(fe)
		verr.Add(fieldLoc(fe), msg, typ)
	}
	return verr
}

// fieldLoc turns "Struct.outer.inner" into ["outer", "inner"].
func fieldLoc(fe validator.FieldError) []string {
	parts := strings.Split(fe.Namespace(), ".")
	if len(parts) > 1 {
		parts = parts[1:]
	}
	return parts
}

// describe maps a validator failure to the pydantic-style message and type
// of a FieldError.
func describe(fe validator.FieldError) (msg, typ string) {
	isString := fe.Kind() == reflect.String
	switch fe.Tag() {
	case "required", "required_if", "required_unless", "required_with", "required_without":
		return "field required", "value_error.missing"
	case "email":
		return "value is not a valid email address", "value_error.email"
	case "min":
		if isString {
			return "ensure this value has at least " + fe.Param() + " characters", "value_error.any_str.min_length"
		}
		if fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map {
			return "ensure this value has at least " + fe.Param() + " items", "value_error.list.min_items"
		}
		return "ensure this value is greater than or equal to " + fe.Param(), "value_error.number.not_ge"
	case "max":
		if isString {
			return "ensure this value has at most " + fe.Param() + " characters", "value_error.any_str.max_length"
		}
		if fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map {
			return "ensure this value has at most " + fe.Param() + " items", "value_error.list.max_items"
		}
		return "ensure this value is less than or equal to " + fe.Param(), "value_error.number.not_le"
	case "len":
		return "ensure this value has exactly " + fe.Param() + " characters", "value_error.any_str.length"
	case "oneof":
		return "value is not one of: " + fe.Param(), "value_error.const"
	case "url", "http_url":
		return "invalid or missing URL scheme", "value_error.url"
	case "alphanum":
		return "value may contain only letters and digits", "value_error.str.regex"
	default:
		return "value failed the " + fe.Tag() + " check", "value_error." + fe.Tag()
	}
}
