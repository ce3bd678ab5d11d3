package users

import (
	"encoding/json"
	"fmt"
)

// maxClaimsBytes is the Firebase limit on the JSON of custom claims.
const maxClaimsBytes = 1000

// reservedClaims may not be used as custom claims (OIDC and Firebase names).
var reservedClaims = map[string]bool{
	"acr": true, "amr": true, "at_hash": true, "aud": true, "auth_time": true,
	"azp": true, "cnf": true, "c_hash": true, "exp": true, "firebase": true,
	"iat": true, "iss": true, "jti": true, "nbf": true, "nonce": true, "sub": true,
}

// encodeClaims validates claims and returns their JSON ("{}" for none).
func encodeClaims(claims map[string]any) (string, error) {
	for k := range claims {
		if reservedClaims[k] {
			return "", fmt.Errorf("%w: claim %q is reserved", ErrInvalidInput, k)
		}
	}
	if len(claims) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("%w: claims: %w", ErrInvalidInput, err)
	}
	if len(b) > maxClaimsBytes {
		return "", fmt.Errorf("%w: claims are %d bytes of JSON, limit %d", ErrInvalidInput, len(b), maxClaimsBytes)
	}
	return string(b), nil
}
