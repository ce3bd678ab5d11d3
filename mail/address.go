package mail

import (
	"bytes"
	"encoding/json"
	"fmt"
	netmail "net/mail"
	"strings"
)

// Address is an email address with an optional display name. In JSON it is
// either an object {"email": "...", "name": "..."} or a string
// "ada@example.com" / "Ada Lovelace <ada@example.com>".
type Address struct {
	// Name is the display name, e.g. "Ada Lovelace". Optional.
	Name string `json:"name,omitempty" validate:"max=256,nocrlf"`
	// Email is the address, e.g. "ada@example.com".
	Email string `json:"email" validate:"required,email,max=254"`
}

// ParseAddress parses "ada@example.com" or "Ada <ada@example.com>".
func ParseAddress(s string) (Address, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return Address{}, fmt.Errorf("mail: parse address %q: %w", s, err)
	}
	return Address{Name: a.Name, Email: a.Address}, nil
}

// String formats the address for a header, e.g. `"Ada L." <ada@example.com>`;
// a name with non-ASCII characters is RFC 2047-encoded.
func (a Address) String() string {
	if a.Name == "" {
		return a.Email
	}
	return (&netmail.Address{Name: a.Name, Address: a.Email}).String()
}

// IsZero reports whether a has neither name nor email.
func (a Address) IsZero() bool { return a == Address{} }

// UnmarshalJSON accepts the object form or a string. A string that does not
// parse is kept as the Email so that Validate reports it with the others.
func (a *Address) UnmarshalJSON(data []byte) error {
	if s, ok, err := jsonString(data); ok {
		if err != nil {
			return err
		}
		if parsed, perr := ParseAddress(s); perr == nil {
			*a = parsed
		} else {
			*a = Address{Email: strings.TrimSpace(s)}
		}
		return nil
	}
	type plain Address
	return json.Unmarshal(data, (*plain)(a))
}

// AddressList is one or more addresses. In JSON it is a single address
// (string or object) or an array of them, normalised to a list.
type AddressList []Address

// Addresses parses each of ss with ParseAddress.
func Addresses(ss ...string) (AddressList, error) {
	out := make(AddressList, 0, len(ss))
	for _, s := range ss {
		a, err := ParseAddress(s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Strings formats each address with Address.String.
func (l AddressList) Strings() []string {
	if len(l) == 0 {
		return nil
	}
	out := make([]string, len(l))
	for i, a := range l {
		out[i] = a.String()
	}
	return out
}

// UnmarshalJSON accepts a single address or an array of addresses.
func (l *AddressList) UnmarshalJSON(data []byte) error {
	trimmed := bytes.TrimSpace(data)
	if bytes.Equal(trimmed, []byte("null")) {
		*l = nil
		return nil
	}
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var list []Address
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return err
		}
		*l = list
		return nil
	}
	var one Address
	if err := json.Unmarshal(trimmed, &one); err != nil {
		return err
	}
	*l = AddressList{one}
	return nil
}

// jsonString reports whether data is a JSON string and decodes it.
func jsonString(data []byte) (string, bool, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '"' {
		return "", false, nil
	}
	var s string
	err := json.Unmarshal(trimmed, &s)
	return s, true, err
}
