package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// fakeEndpoint is the base URL the client uses in the default mode; the
// requests never leave the process (see fakeFirestore.client).
const fakeEndpoint = "http://firestore.local/"

// fakeFirestore is an in-memory stand-in for the part of the Firestore REST
// API (v1) that the example uses: documents get, createDocument, patch with
// an update mask and a currentDocument precondition, and delete. It answers
// as Firestore does: update times at microsecond precision that grow with
// every write, ALREADY_EXISTS (409) for a create over an existing
// document, NOT_FOUND (404) when currentDocument.exists=true finds none, and
// FAILED_PRECONDITION (400) when currentDocument.updateTime is not the
// stored update time.
type fakeFirestore struct {
	mu   sync.Mutex
	last time.Time
	docs map[string]*fakeDoc // by full document name
}

// fakeDoc is a document on the wire.
type fakeDoc struct {
	Name       string                     `json:"name"`
	Fields     map[string]json.RawMessage `json:"fields"`
	CreateTime string                     `json:"createTime"`
	UpdateTime string                     `json:"updateTime"`
}

func newFakeFirestore() *fakeFirestore {
	return &fakeFirestore{docs: map[string]*fakeDoc{}}
}

// now returns the next update time: the clock at microsecond precision,
// moved on by a microsecond when a write in the same microsecond came
// before. The caller holds f.mu.
func (f *fakeFirestore) now() string {
	t := time.Now().UTC().Truncate(time.Microsecond)
	if !t.After(f.last) {
		t = f.last.Add(time.Microsecond)
	}
	f.last = t
	return t.Format(time.RFC3339Nano)
}

func (f *fakeFirestore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok || !strings.Contains(name, "/documents/") {
		fsError(w, http.StatusNotFound, "NOT_FOUND", "unknown resource "+r.URL.Path)
		return
	}
	var body struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			fsError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "invalid JSON payload")
			return
		}
	}
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		if d, ok := f.docs[name]; ok {
			reply(w, d)
			return
		}
		fsError(w, http.StatusNotFound, "NOT_FOUND", "no entity to get: "+name)
	case http.MethodPost: // createDocument: name is parent/collectionId
		id := q.Get("documentId")
		if id == "" {
			fsError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "this fake needs a documentId")
			return
		}
		if _, ok := f.docs[name+"/"+id]; ok {
			fsError(w, http.StatusConflict, "ALREADY_EXISTS", "document already exists: "+name+"/"+id)
			return
		}
		now := f.now()
		d := &fakeDoc{Name: name + "/" + id, Fields: body.Fields, CreateTime: now, UpdateTime: now}
		f.docs[d.Name] = d
		reply(w, d)
	case http.MethodPatch:
		if !f.precondition(w, name, q.Get("currentDocument.exists"), q.Get("currentDocument.updateTime")) {
			return
		}
		reply(w, f.write(name, body.Fields, q["updateMask.fieldPaths"]))
	case http.MethodDelete:
		if !f.precondition(w, name, q.Get("currentDocument.exists"), q.Get("currentDocument.updateTime")) {
			return
		}
		delete(f.docs, name)
		reply(w, map[string]any{})
	default:
		fsError(w, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "method not supported by this fake")
	}
}

// precondition checks a currentDocument precondition and answers the
// failure as Firestore does. The caller holds f.mu.
func (f *fakeFirestore) precondition(w http.ResponseWriter, name, exists, updateTime string) bool {
	d, ok := f.docs[name]
	switch {
	case exists == "true" && !ok:
		fsError(w, http.StatusNotFound, "NOT_FOUND", "no entity to update: "+name)
	case exists == "false" && ok:
		fsError(w, http.StatusConflict, "ALREADY_EXISTS", "document already exists: "+name)
	case updateTime != "" && (!ok || !sameInstant(d.UpdateTime, updateTime)):
		fsError(w, http.StatusBadRequest, "FAILED_PRECONDITION", "the stored version does not match the required base version")
	default:
		return true
	}
	return false
}

// write stores fields into the document, all of them or only the mask's
// top-level paths, creating it when missing. The caller holds f.mu.
func (f *fakeFirestore) write(name string, fields map[string]json.RawMessage, mask []string) *fakeDoc {
	now := f.now()
	d, ok := f.docs[name]
	if !ok {
		d = &fakeDoc{Name: name, CreateTime: now, Fields: map[string]json.RawMessage{}}
		f.docs[name] = d
	}
	d.UpdateTime = now
	if mask == nil {
		d.Fields = fields
		return d
	}
	for _, p := range mask {
		if v, ok := fields[p]; ok {
			d.Fields[p] = v
		} else {
			delete(d.Fields, p)
		}
	}
	return d
}

func sameInstant(a, b string) bool {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && ta.Equal(tb)
}

func fsError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(v)
}
