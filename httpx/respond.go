package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// envelope is the wire shape of every non-422 error response.
type envelope struct {
	Detail    string `json:"detail"`
	ErrorCode string `json:"error_code"`
	Timestamp string `json:"timestamp"`
}

// WriteJSON writes v as JSON with the given status and a JSON content type.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		slog.Error("httpx: encode response", "err", err)
		status, body = http.StatusInternalServerError, encodeEnvelope(Internal(err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// WriteError renders err as the documented error response. A *ValidationError
// becomes 422 with the field list; an *Error is sent with its status, code and
// detail; any other error becomes a generic 500. Causes and 5xx errors are
// logged with the request ID; their text never reaches the client.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var ve *ValidationError
	if errors.As(err, &ve) {
		WriteJSON(w, http.StatusUnprocessableEntity, ve)
		return
	}
	he := AsError(err)
	if he.Status >= 500 || he.Cause != nil {
		logError(r, he)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(he.Status)
	w.Write(append(encodeEnvelope(he), '\n'))
}

func encodeEnvelope(e *Error) []byte {
	body, _ := json.Marshal(envelope{
		Detail:    e.Detail,
		ErrorCode: e.Code,
		Timestamp: time.Now().UTC().Format(time.RFC3339),
	})
	return body
}

func logError(r *http.Request, e *Error) {
	level := slog.LevelWarn
	if e.Status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{"status", e.Status, "code", e.Code}
	if e.Cause != nil {
		attrs = append(attrs, "err", e.Cause.Error())
	}
	if r != nil {
		attrs = append(attrs, "method", r.Method, "path", r.URL.Path, "request_id", RequestIDFromContext(r.Context()))
		LoggerFromContext(r.Context()).Log(r.Context(), level, e.Detail, attrs...)
		return
	}
	slog.Default().Log(nil, level, e.Detail, attrs...)
}
