package users

import (
	"strings"
	"testing"
)

func TestValidLogin(t *testing.T) {
	tests := []struct {
		login string
		want  bool
	}{
		{"alice", true},
		{"ada@example.com", true},
		{"Дмитрий", true},
		{"al ice", true}, // no such user, but harmless to look up
		{"alice\x00", false},
		{"alice\xff", false},
		{"\u202ealice", false},
		{"ali\u200bce", false},
		{"ali\nce", false},
		{strings.Repeat("é", 2*254), true},
		{strings.Repeat("a", 4*254+1), false},
	}
	for _, tt := range tests {
		if got := validLogin(tt.login); got != tt.want {
			t.Errorf("validLogin(%q) = %v, want %v", tt.login, got, tt.want)
		}
	}
}
