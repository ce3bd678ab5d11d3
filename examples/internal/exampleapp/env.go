package exampleapp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Env reads typed settings from an environment lookup function and collects
// every malformed or missing value, so that a misconfigured example reports
// all its problems at once.
type Env struct {
	getenv func(string) string
	errs   []error
}

// NewEnv returns an Env reading through getenv (os.Getenv in main, a map in
// tests).
func NewEnv(getenv func(string) string) *Env {
	return &Env{getenv: getenv}
}

// String returns the trimmed value of name, or def when it is unset or empty.
func (e *Env) String(name, def string) string {
	if v := strings.TrimSpace(e.getenv(name)); v != "" {
		return v
	}
	return def
}

// Required returns the value of name and records an error when it is empty;
// why says which setting needs it.
func (e *Env) Required(name, why string) string {
	v := e.String(name, "")
	if v == "" {
		e.errs = append(e.errs, fmt.Errorf("%s is required %s", name, why))
	}
	return v
}

// Int returns the integer value of name, or def when it is unset. A value
// that is not an integer in [lo, hi] is recorded as an error.
func (e *Env) Int(name string, def, lo, hi int) int {
	v := e.String(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not an integer in [%d, %d]", name, v, lo, hi))
		return def
	}
	return n
}

// Duration returns the Go duration (such as "15m") in name, or def when it
// is unset. A malformed or non-positive value is recorded as an error.
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v := e.String(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a positive duration such as 15m", name, v))
		return def
	}
	return d
}

// OneOf returns the value of name, def when it is unset, and records an
// error when the value is not one of allowed.
func (e *Env) OneOf(name, def string, allowed ...string) string {
	v := e.String(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	e.errs = append(e.errs, fmt.Errorf("%s: %q is not one of %s", name, v, strings.Join(allowed, ", ")))
	return def
}

// Err returns every error recorded so far, joined, or nil.
func (e *Env) Err() error {
	return errors.Join(e.errs...)
}
