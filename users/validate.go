package users

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

// validatorInstance returns the package's validator, which names fields by
// their json tags.
func validatorInstance() *validator.Validate {
	validateOnce.Do(func() {
		validate = validator.New(validator.WithRequiredStructEnabled())
		validate.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				return f.Name
			}
			return name
		})
	})
	return validate
}

// validateInput checks v's validate tags; on failure the error wraps both
// ErrInvalidInput and the validator.ValidationErrors.
func validateInput(op string, v any) error {
	if err := validatorInstance().Struct(v); err != nil {
		return fmt.Errorf("users: %s: %w: %w", op, ErrInvalidInput, err)
	}
	return nil
}
