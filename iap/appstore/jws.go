package appstore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// jws is a compact JWS split into its parts. Nothing in it is trusted yet.
type jws struct {
	header       jwsHeader
	payload      []byte
	signingInput string
	signature    []byte
}

// jwsHeader holds the protected header fields the verifier reads.
type jwsHeader struct {
	Alg string   `json:"alg"`
	X5C []string `json:"x5c"`
}

// parseJWS splits a compact JWS and decodes its three base64url segments.
func parseJWS(compact string) (*jws, error) {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d segments, want 3", ErrMalformedJWS, len(parts))
	}
	rawHeader, err := decodeSegment(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformedJWS, err)
	}
	var h jwsHeader
	if err := json.Unmarshal(rawHeader, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformedJWS, err)
	}
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedPayload, err)
	}
	sig, err := decodeSegment(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrMalformedJWS, err)
	}
	return &jws{header: h, payload: payload, signingInput: parts[0] + "." + parts[1], signature: sig}, nil
}

// decodeSegment decodes unpadded base64url, the only encoding RFC 7515 allows
// for JWS segments.
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// decodePayload unmarshals the payload into dst, rejecting trailing data.
func (t *jws) decodePayload(dst any) error {
	dec := json.NewDecoder(bytes.NewReader(t.payload))
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedPayload, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: trailing data after JSON value", ErrMalformedPayload)
	}
	return nil
}
