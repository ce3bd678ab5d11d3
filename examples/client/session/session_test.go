package session

import (
	"net/http"
	"testing"
)

func TestNewStatusError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"envelope", 401, `{"detail":"Incorrect username or password","error_code":"UNAUTHORIZED","timestamp":"2026-01-01T00:00:00Z"}`,
			"login: 401 UNAUTHORIZED: Incorrect username or password"},
		{"field list", 422, `{"detail":[{"loc":["body","password"],"msg":"field required","type":"value_error.missing"}]}`,
			"login: 422: body.password: field required"},
		{"no envelope", 502, `<html>bad gateway</html>`, "login: 502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewStatusError("login", &http.Response{StatusCode: tt.status}, []byte(tt.body))
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
