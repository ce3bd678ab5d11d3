package users_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/internal/testenv"
	"github.com/groundwork-go/groundwork/users"
)

// newPolicyService returns a Service with cheap hashing on the test's
// database (PostgreSQL when DATABASE_URL is set, else SQLite).
func newPolicyService(t *testing.T) *users.Service {
	t.Helper()
	db := testenv.DB(t)
	if err := users.Migrate(context.Background(), db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return users.NewService(users.NewStore(db), users.Options{
		Hasher: users.NewHasher(users.HasherOptions{Params: cheap})})
}

// policyInput is a valid signup with the given username, first and last
// name; the email is made unique by n.
func policyInput(n int, username, first, last string) users.RegisterInput {
	return users.RegisterInput{Username: username, Email: fmt.Sprintf("policy%d@example.com", n),
		Password: "secretpassword", FirstName: first, LastName: last}
}

// assertFields checks that err is ErrInvalidInput carrying an
// *httpx.ValidationError that names exactly the fields want.
func assertFields(t *testing.T, err error, want ...string) {
	t.Helper()
	var verr *httpx.ValidationError
	if !errors.Is(err, users.ErrInvalidInput) || !errors.As(err, &verr) {
		t.Fatalf("error = %v, want ErrInvalidInput with *httpx.ValidationError", err)
	}
	var got []string
	for _, f := range verr.Detail {
		got = append(got, strings.Join(f.Loc, "."))
		if f.Msg == "" || f.Type == "" {
			t.Errorf("field %v has message %q, type %q; want both", f.Loc, f.Msg, f.Type)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("invalid fields = %v, want %v", got, want)
	}
}

// usernameSamples and nameSamples cover several scripts, the normalisations
// applied before storing, and the characters the policy refuses.
var usernameSamples = []struct {
	name, username string
	stored         string // the stored form when accepted, "" when refused
}{
	{"ascii", "alice", "alice"},
	{"digits, underscore, dot, hyphen", "Alice_99.x-y", "Alice_99.x-y"},
	{"starts with a digit", "1abc", "1abc"},
	{"Latin with accent", "Ünsal", "Ünsal"},
	{"decomposed accent composes", "jose\u0301", "josé"},
	{"full-width folds to ASCII", "ｆｕｌｌｗｉｄｔｈ", "fullwidth"},
	{"ligature folds", "\ufb01nn", "finn"},
	{"Cyrillic", "Дмитрий", "Дмитрий"},
	{"Greek", "Σωκράτης", "Σωκράτης"},
	{"Han", "李小龍", "李小龍"},
	{"Arabic with Arabic-Indic digit", "مريم٣", "مريم٣"},
	{"Hebrew", "שלום", "שלום"},
	{"Devanagari with combining marks", "नमस्ते", "नमस्ते"},
	{"Thai with combining marks", "ยินดี", "ยินดี"},
	{"trimmed", "  bob  ", "bob"},
	{"50 characters", strings.Repeat("é", 50), strings.Repeat("é", 50)},

	{"too short after trimming", "  ab  ", ""},
	{"51 characters", strings.Repeat("u", 51), ""},
	{"inner space", "al ice", ""},
	{"no-break space", "ali\u00a0ce", ""},
	{"tab", "ali\tce", ""},
	{"zero-width space", "alice\u200b", ""},
	{"zero-width joiner", "ali\u200dce", ""},
	{"zero-width non-joiner", "ali\u200cce", ""},
	{"byte order mark", "\ufeffalice", ""},
	{"right-to-left override", "\u202ealice", ""},
	{"NUL", "alice\x00", ""},
	{"bell", "ali\x07ce", ""},
	{"invalid UTF-8", "alice\xff", ""},
	{"line separator", "ali\u2028ce", ""},
	{"semicolon", "alice;", ""},
	{"quote", "al'ice", ""},
	{"double quote", "al\"ice", ""},
	{"at sign", "a@b", ""},
	{"emoji", "smile😀", ""},
	{"currency symbol", "€uro", ""},
	{"starts with underscore", "_alice", ""},
	{"starts with dot", ".alice", ""},
	{"starts with hyphen", "-alice", ""},
	{"starts with a combining mark", "\u0301abc", ""},
}

var nameSamples = []struct {
	name, value string
	stored      string // "" when refused
}{
	{"ascii", "Ann", "Ann"},
	{"diaeresis", "Zoë", "Zoë"},
	{"apostrophe", "O'Brien", "O'Brien"},
	{"inner space and hyphen", "Jean-Luc Picard", "Jean-Luc Picard"},
	{"Han single character", "李", "李"},
	{"Arabic", "محمد", "محمد"},
	{"Devanagari", "नमस्ते", "नमस्ते"},
	{"emoji", "😀", "😀"},
	{"trimmed", "  Ann  ", "Ann"},
	{"50 characters", strings.Repeat("ß", 50), strings.Repeat("ß", 50)},

	{"blank", "   ", ""},
	{"51 characters", strings.Repeat("n", 51), ""},
	{"NUL", "Ann\x00", ""},
	{"invalid UTF-8", "Ann\xff", ""},
	{"newline", "Ann\nLee", ""},
	{"zero-width space", "Ann\u200b", ""},
	{"zero-width joiner", "A\u200dnn", ""},
	{"right-to-left override", "\u202eAnn", ""},
	{"line separator", "Ann\u2028Lee", ""},
	{"private use", "Ann\ue000", ""},
}

func TestUsernamePolicy(t *testing.T) {
	svc := newPolicyService(t)
	for i, tt := range usernameSamples {
		t.Run(tt.name, func(t *testing.T) {
			u, err := svc.Register(context.Background(), policyInput(i, tt.username, "Ann", "Lee"))
			if tt.stored == "" {
				assertFields(t, err, "username")
				return
			}
			if err != nil {
				t.Fatalf("Register(%q): %v", tt.username, err)
			}
			if u.Username != tt.stored {
				t.Errorf("stored username = %q, want %q", u.Username, tt.stored)
			}
		})
	}
}

func TestNamePolicy(t *testing.T) {
	svc := newPolicyService(t)
	ctx := context.Background()
	owner, err := svc.Register(ctx, policyInput(-1, "owner", "Ann", "Lee"))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	for i, tt := range nameSamples {
		t.Run(tt.name, func(t *testing.T) {
			u, err := svc.Register(ctx, policyInput(i, fmt.Sprintf("name%d", i), tt.value, "Lee"))
			if tt.stored == "" {
				assertFields(t, err, "first_name")
			} else if err != nil {
				t.Fatalf("Register(first name %q): %v", tt.value, err)
			} else if u.FirstName != tt.stored {
				t.Errorf("Register stored first name %q, want %q", u.FirstName, tt.stored)
			}
			value := tt.value
			u, err = svc.UpdateProfile(ctx, owner.ID, users.ProfileUpdate{LastName: &value})
			if tt.stored == "" {
				assertFields(t, err, "last_name")
			} else if err != nil {
				t.Fatalf("UpdateProfile(last name %q): %v", tt.value, err)
			} else if u.LastName != tt.stored {
				t.Errorf("UpdateProfile stored last name %q, want %q", u.LastName, tt.stored)
			}
		})
	}
}

func TestEmailPolicy(t *testing.T) {
	svc := newPolicyService(t)
	ctx := context.Background()
	owner, err := svc.Register(ctx, policyInput(0, "owner", "Ann", "Lee"))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	for _, email := range []string{"nul\x00@example.com", "bad\xff@example.com", "rtl\u202e@example.com", "zw\u200b@example.com"} {
		in := policyInput(1, "mailer", "Ann", "Lee")
		in.Email = email
		_, err := svc.Register(ctx, in)
		assertFields(t, err, "email")
		_, err = svc.UpdateProfile(ctx, owner.ID, users.ProfileUpdate{Email: &email})
		assertFields(t, err, "email")
	}
}

// TestPolicyReportsEveryField checks that tag rules and the text policy are
// reported together, one entry per field, in one error.
func TestPolicyReportsEveryField(t *testing.T) {
	svc := newPolicyService(t)
	in := policyInput(0, "bad name", "\x00", "Lee")
	in.Password = "short"
	_, err := svc.Register(context.Background(), in)
	assertFields(t, err, "password", "username", "first_name")
}
