package cache

import "encoding/json"

// Codec turns values into bytes and back. Implementations must only ever
// decode into the type they are given (never a format that can name types
// or run code, like a pickle) and must be safe for concurrent use.
type Codec interface {
	// Marshal encodes v. It must not return an empty slice for any value:
	// an empty value marks a cached absence.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into v, a non-nil pointer. data may be a
	// read-only view of cache memory: Unmarshal must neither modify it
	// nor keep it after returning.
	Unmarshal(data []byte, v any) error
}

// JSON is the default Codec: encoding/json, which decodes only into the
// given Go type.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
