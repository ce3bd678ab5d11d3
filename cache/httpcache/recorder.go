package httpcache

import (
	"bytes"
	"net/http"
)

// recorder holds a response back while it may still be stored: it buffers
// the status, headers and body until the handler returns. It gives up and
// streams (passthrough) as soon as the response cannot be stored: a status
// or headers that forbid it, a body over the size limit, or a Flush.
type recorder struct {
	w           http.ResponseWriter
	header      http.Header
	status      int
	body        bytes.Buffer
	max         int
	storable    func(status int, h http.Header) bool
	passthrough bool
}

func newRecorder(w http.ResponseWriter, max int, storable func(int, http.Header) bool) *recorder {
	return &recorder{w: w, header: make(http.Header), max: max, storable: storable}
}

func (rec *recorder) Header() http.Header {
	if rec.passthrough {
		return rec.w.Header()
	}
	return rec.header
}

func (rec *recorder) WriteHeader(code int) {
	switch {
	case rec.passthrough:
		rec.w.WriteHeader(code)
	case code >= 100 && code < 200: // informational: send on, keep recording
		copyHeader(rec.w.Header(), rec.header)
		rec.w.WriteHeader(code)
	case rec.status != 0:
	default:
		rec.status = code
		if !rec.storable(code, rec.header) {
			rec.commit()
		}
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 && !rec.passthrough {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.passthrough {
		return rec.w.Write(b)
	}
	if rec.body.Len()+len(b) > rec.max {
		rec.commit()
		return rec.w.Write(b)
	}
	return rec.body.Write(b)
}

// Flush sends what was recorded and streams the rest: a handler that
// flushes is streaming, and its response is not stored.
func (rec *recorder) Flush() {
	if rec.status == 0 && !rec.passthrough {
		rec.WriteHeader(http.StatusOK)
	}
	rec.commit()
	http.NewResponseController(rec.w).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.w }

// commit writes what was recorded to the client and switches to streaming.
func (rec *recorder) commit() {
	if rec.passthrough {
		return
	}
	rec.passthrough = true
	copyHeader(rec.w.Header(), rec.header)
	if rec.status != 0 {
		rec.w.WriteHeader(rec.status)
	}
	if rec.body.Len() > 0 {
		rec.w.Write(rec.body.Bytes())
	}
	rec.body = bytes.Buffer{}
}

// copyHeader sets every header of src in dst, replacing dst's values.
func copyHeader(dst, src http.Header) {
	for name, values := range src {
		dst[name] = values
	}
}
