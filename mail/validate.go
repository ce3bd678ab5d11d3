package mail

import (
	"errors"
	"fmt"
	"mime"
	"net/textproto"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// Problem is one reason a message is invalid.
type Problem struct {
	// Field is the JSON path of the offending field, e.g. "to[1].email".
	Field string
	// Message says what is wrong, e.g. "is not a valid email address".
	Message string
}

// ValidationError lists every problem found in a message. It wraps
// ErrInvalidMessage.
type ValidationError struct {
	// Problems are in field order, cross-field checks last.
	Problems []Problem
}

// Error lists the problems.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + " " + p.Message
	}
	return "mail: invalid message: " + strings.Join(parts, "; ")
}

// Unwrap returns ErrInvalidMessage.
func (e *ValidationError) Unwrap() error { return ErrInvalidMessage }

// reservedHeaders are set through Message fields or by the provider.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true,
	"Subject": true, "Content-Type": true, "Content-Transfer-Encoding": true,
	"Mime-Version": true, "Date": true, "Message-Id": true, "Sender": true,
}

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

func messageValidator() *validator.Validate {
	validateOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(func(sf reflect.StructField) string {
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				return sf.Name
			}
			return name
		})
		mustRegister(v, "nocrlf", func(fl validator.FieldLevel) bool {
			return !strings.ContainsAny(fl.Field().String(), "\r\n")
		})
		mustRegister(v, "header_name", func(fl validator.FieldLevel) bool {
			return validHeaderName(fl.Field().String())
		})
		mustRegister(v, "tag_chars", func(fl validator.FieldLevel) bool {
			return strings.Trim(fl.Field().String(), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == ""
		})
		mustRegister(v, "media_type", func(fl validator.FieldLevel) bool {
			_, _, err := mime.ParseMediaType(fl.Field().String())
			return err == nil && !strings.ContainsAny(fl.Field().String(), "\r\n")
		})
		validate = v
	})
	return validate
}

func mustRegister(v *validator.Validate, tag string, fn validator.Func) {
	if err := v.RegisterValidation(tag, fn); err != nil {
		panic(fmt.Sprintf("mail: register %s: %v", tag, err))
	}
}

// validHeaderName reports whether s is an RFC 5322 field name that is not
// reserved for the message's own fields.
func validHeaderName(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 127 || c == ':' {
			return false
		}
	}
	return !reservedHeaders[textproto.CanonicalMIMEHeaderKey(s)]
}

// Validate checks the message and returns a *ValidationError listing every
// problem, or nil.
func (m *Message) Validate() error {
	var problems []Problem
	err := messageValidator().Struct(m)
	var fieldErrs validator.ValidationErrors
	if errors.As(err, &fieldErrs) {
		for _, fe := range fieldErrs {
			problems = append(problems, Problem{Field: fieldPath(fe), Message: describe(fe)})
		}
	} else if err != nil {
		return fmt.Errorf("mail: validate: %w", err)
	}
	problems = append(problems, m.crossFieldProblems()...)
	if len(problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: problems}
}

// crossFieldProblems checks the rules that span several fields.
func (m *Message) crossFieldProblems() []Problem {
	var ps []Problem
	hasBody := m.HTML != "" || m.Text != ""
	switch {
	case m.Template != "" && hasBody:
		ps = append(ps, Problem{"template", "cannot be combined with html or text: use one form"})
	case m.Template == "" && !hasBody:
		ps = append(ps, Problem{"html", "is required: set template, html or text"})
	}
	if m.Template == "" && m.Subject == "" {
		ps = append(ps, Problem{"subject", "is required without a template"})
	}
	if m.Template == "" && m.Data != nil {
		ps = append(ps, Problem{"data", "is only used with a template"})
	}
	total := 0
	for _, a := range m.Attachments {
		total += len(a.Content)
	}
	if total > MaxAttachmentBytes {
		ps = append(ps, Problem{"attachments", fmt.Sprintf("total %d bytes exceeds %d", total, MaxAttachmentBytes)})
	}
	return ps
}

// fieldPath turns "Message.to[1].email" into "to[1].email".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// describe turns a validator failure into a short message.
func describe(fe validator.FieldError) string {
	isString := fe.Kind() == reflect.String
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "is not a valid email address"
	case "min":
		return "needs at least " + fe.Param() + " item(s)"
	case "max":
		if isString {
			return "is longer than " + fe.Param() + " characters"
		}
		return "has more than " + fe.Param() + " items"
	case "nocrlf":
		return "must not contain CR or LF"
	case "header_name":
		return "is not an allowed header name"
	case "tag_chars":
		return "may contain only ASCII letters, digits, _ and -"
	case "media_type":
		return "is not a valid media type"
	case "excludesall":
		return "must not contain any of " + fe.Param()
	default:
		return "failed the " + fe.Tag() + " check"
	}
}
