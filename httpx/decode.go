package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// DefaultMaxBodyBytes bounds a request body read by Decode when no BodyLimit
// middleware set a smaller limit: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// maxMultipartMemory is how much of a multipart body is kept in memory; the
// rest of its file parts spill to temporary files.
const maxMultipartMemory = 8 << 20

// Decode reads the request body into dst, a pointer to a struct, according to
// the Content-Type: application/json (fields named by `json` tags),
// application/x-www-form-urlencoded or multipart/form-data (fields named by
// `form` tags). It then validates dst with its `validate` tags.
//
// Errors are ready for WriteError: a malformed body is 400, a body over the
// limit 413, an unsupported content type 415, and invalid or missing fields a
// *ValidationError (422) naming each field by its wire name.
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	r.Body = http.MaxBytesReader(w, r.Body, DefaultMaxBodyBytes)
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return unsupportedMedia()
	}
	switch mediaType {
	case "application/json", "":
		err = decodeJSON(r.Body, dst)
	case "application/x-www-form-urlencoded", "multipart/form-data":
		err = decodeForm(r, dst, mediaType)
	default:
		if strings.HasSuffix(mediaType, "+json") {
			err = decodeJSON(r.Body, dst)
		} else {
			return unsupportedMedia()
		}
	}
	if err != nil {
		return err
	}
	return Validate(dst, tagJSONOrForm(mediaType))
}

// DecodeJSON is Decode for a handler that accepts only JSON, whatever the
// Content-Type says.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	r.Body = http.MaxBytesReader(w, r.Body, DefaultMaxBodyBytes)
	if err := decodeJSON(r.Body, dst); err != nil {
		return err
	}
	return Validate(dst, "json")
}

func tagJSONOrForm(mediaType string) string {
	if mediaType == "application/x-www-form-urlencoded" || mediaType == "multipart/form-data" {
		return "form"
	}
	return "json"
}

func unsupportedMedia() *Error {
	return NewError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
		"Unsupported content type; send application/json, application/x-www-form-urlencoded or multipart/form-data")
}

func decodeJSON(body io.Reader, dst any) error {
	dec := json.NewDecoder(body)
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return jsonError(err)
		}
		return BadRequest("Request body must contain a single JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return payloadTooLarge(tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return BadRequest("Request body is empty")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("Malformed JSON in request body").WithCause(err)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return new(ValidationError).Add(strings.Split(typeErr.Field, "."),
			"value is not a valid "+kindName(typeErr.Type), "type_error."+kindName(typeErr.Type))
	default:
		return BadRequest("Malformed JSON in request body").WithCause(err)
	}
}

func payloadTooLarge(limit int64) *Error {
	return NewError(http.StatusRequestEntityTooLarge, CodePayloadTooLarge,
		fmt.Sprintf("Request body is larger than %d bytes", limit))
}
