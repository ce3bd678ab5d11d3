package firestore_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeFirestore is an in-memory Firestore REST service: documents get, create,
// patch and delete, runQuery and batchGet answered as JSON arrays (as the real
// service streams them), and transactions with optimistic conflict detection.
type fakeFirestore struct {
	t     *testing.T
	srv   *httptest.Server
	token string

	mu       sync.Mutex
	clock    time.Time
	docs     map[string]*fakeDoc
	txs      map[string]map[string]string // tx -> document name -> update time seen
	nextTx   int
	calls    map[string]int
	failures map[string][]int
	// beforeCommit, when set, runs (unlocked) before a commit is applied.
	beforeCommit func()
	// streamGate, when set, holds a runQuery answer after its first element
	// until the channel is closed (or aborts the answer after five seconds).
	streamGate chan struct{}
	// streamFailAfter, when positive, ends a runQuery answer with an
	// UNAVAILABLE error element after that many elements.
	streamFailAfter int
}

type fakeDoc struct {
	Name       string                     `json:"name"`
	Fields     map[string]json.RawMessage `json:"fields"`
	CreateTime string                     `json:"createTime"`
	UpdateTime string                     `json:"updateTime"`
}

func newFakeFirestore(t *testing.T) *fakeFirestore {
	t.Helper()
	f := &fakeFirestore{
		t: t, token: "Bearer test-token", clock: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		docs: map[string]*fakeDoc{}, txs: map[string]map[string]string{}, calls: map[string]int{}, failures: map[string][]int{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeFirestore) failNext(op string, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[op] = append(f.failures[op], statuses...)
}

func (f *fakeFirestore) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

var statusNames = map[int]string{
	400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
	409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
}

func fsError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fakeFirestore) now() string {
	f.clock = f.clock.Add(time.Microsecond)
	return f.clock.Format(time.RFC3339Nano)
}

func (f *fakeFirestore) serve(w http.ResponseWriter, r *http.Request) {
	// Route on the path as it was sent: the verb follows the last ":" of
	// the escaped path, and only then is the resource name decoded.
	escaped, _, _ := strings.Cut(r.RequestURI, "?")
	escaped = strings.TrimPrefix(escaped, "/v1/")
	op := r.Method
	if i := strings.LastIndex(escaped, ":"); i >= 0 && r.Method == http.MethodPost {
		escaped, op = escaped[:i], escaped[i+1:]
	}
	path, err := decodeResourcePath(escaped)
	if err != nil {
		fsError(w, 400, "INVALID_ARGUMENT", err.Error())
		return
	}
	if op == "commit" && f.beforeCommit != nil {
		f.beforeCommit()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	if q := f.failures[op]; len(q) > 0 {
		f.failures[op] = q[1:]
		fsError(w, q[0], statusNames[q[0]], "injected")
		return
	}
	if r.Header.Get("Authorization") != f.token {
		fsError(w, 401, "UNAUTHENTICATED", "missing or invalid credentials")
		return
	}
	var body map[string]json.RawMessage
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			fsError(w, 400, "INVALID_ARGUMENT", "bad JSON: "+err.Error())
			return
		}
	}
	switch op {
	case http.MethodGet:
		f.get(w, path, r.URL.Query().Get("transaction"))
	case http.MethodPost:
		f.create(w, path, r.URL.Query().Get("documentId"), body)
	case http.MethodPatch:
		f.patch(w, path, r.URL.Query(), body)
	case http.MethodDelete:
		if !f.checkPre(w, path, r.URL.Query()) {
			return
		}
		delete(f.docs, path)
		reply(w, map[string]any{})
	case "runQuery":
		f.runQuery(w, path, body)
	case "batchGet":
		f.batchGet(w, body)
	case "beginTransaction":
		f.nextTx++
		id := base64.StdEncoding.EncodeToString([]byte("tx-" + strconv.Itoa(f.nextTx)))
		f.txs[id] = map[string]string{}
		reply(w, map[string]any{"transaction": id})
	case "commit":
		f.commit(w, body)
	case "rollback":
		var tx string
		json.Unmarshal(body["transaction"], &tx)
		delete(f.txs, tx)
		reply(w, map[string]any{})
	default:
		fsError(w, 404, "NOT_FOUND", "no such method "+op)
	}
}

// decodeResourcePath decodes a multi-segment path variable the way Google's
// HTTP/JSON transcoding does (google.api.HttpRule): every percent escape is
// decoded except %2F, which stays as written, so an escaped "/" never splits
// a segment.
func decodeResourcePath(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("invalid escape at the end of %q", s)
		}
		n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("invalid escape %q in %q", s[i:i+3], s)
		}
		if n == '/' {
			b.WriteString(s[i : i+3])
		} else {
			b.WriteByte(byte(n))
		}
		i += 2
	}
	return b.String(), nil
}

// readIn records a read of name within transaction tx.
func (f *fakeFirestore) readIn(tx, name string) bool {
	if tx == "" {
		return true
	}
	reads, ok := f.txs[tx]
	if !ok {
		return false
	}
	if d := f.docs[name]; d != nil {
		reads[name] = d.UpdateTime
	} else {
		reads[name] = ""
	}
	return true
}

func (f *fakeFirestore) get(w http.ResponseWriter, name, tx string) {
	if !f.readIn(tx, name) {
		fsError(w, 400, "INVALID_ARGUMENT", "unknown transaction")
		return
	}
	d, ok := f.docs[name]
	if !ok {
		fsError(w, 404, "NOT_FOUND", "no entity "+name)
		return
	}
	reply(w, d)
}

func (f *fakeFirestore) create(w http.ResponseWriter, parentColl, id string, body map[string]json.RawMessage) {
	if id == "" {
		f.nextTx++
		id = fmt.Sprintf("auto%06d", f.nextTx)
	}
	name := parentColl + "/" + id
	if _, ok := f.docs[name]; ok {
		fsError(w, 409, "ALREADY_EXISTS", "document already exists: "+name)
		return
	}
	var fields map[string]json.RawMessage
	json.Unmarshal(body["fields"], &fields)
	now := f.now()
	d := &fakeDoc{Name: name, Fields: fields, CreateTime: now, UpdateTime: now}
	f.docs[name] = d
	reply(w, d)
}

// precondition checks a currentDocument precondition; it reports a
// status code and message when it fails.
func (f *fakeFirestore) precondition(name, exists, updateTime string) (int, string) {
	d, ok := f.docs[name]
	switch {
	case exists == "true" && !ok:
		return 404, "NOT_FOUND"
	case exists == "false" && ok:
		return 409, "ALREADY_EXISTS"
	case updateTime != "" && (!ok || !sameTime(d.UpdateTime, updateTime)):
		return 400, "FAILED_PRECONDITION"
	}
	return 0, ""
}

func sameTime(a, b string) bool {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && ta.Equal(tb)
}

func (f *fakeFirestore) checkPre(w http.ResponseWriter, name string, q map[string][]string) bool {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if code, status := f.precondition(name, get("currentDocument.exists"), get("currentDocument.updateTime")); code != 0 {
		fsError(w, code, status, "precondition failed for "+name)
		return false
	}
	return true
}

func (f *fakeFirestore) patch(w http.ResponseWriter, name string, q map[string][]string, body map[string]json.RawMessage) {
	if !f.checkPre(w, name, q) {
		return
	}
	var fields map[string]json.RawMessage
	json.Unmarshal(body["fields"], &fields)
	f.apply(name, fields, q["updateMask.fieldPaths"])
	reply(w, f.docs[name])
}

// apply writes fields to the document, all of them or only the mask's paths.
func (f *fakeFirestore) apply(name string, fields map[string]json.RawMessage, mask []string) {
	now := f.now()
	d, ok := f.docs[name]
	if !ok {
		d = &fakeDoc{Name: name, CreateTime: now, Fields: map[string]json.RawMessage{}}
		f.docs[name] = d
	}
	d.UpdateTime = now
	if mask == nil {
		d.Fields = fields
		return
	}
	if d.Fields == nil {
		d.Fields = map[string]json.RawMessage{}
	}
	for _, p := range mask {
		setPath(d.Fields, fields, strings.Split(p, "."))
	}
}

// setPath copies the value at path from src into dst (deleting it from dst
// when src lacks it), descending through mapValue fields.
func setPath(dst, src map[string]json.RawMessage, path []string) {
	v, ok := src[path[0]]
	if len(path) == 1 {
		if ok {
			dst[path[0]] = v
		} else {
			delete(dst, path[0])
		}
		return
	}
	sub := func(raw json.RawMessage) map[string]json.RawMessage {
		var m struct {
			MapValue struct {
				Fields map[string]json.RawMessage `json:"fields"`
			} `json:"mapValue"`
		}
		json.Unmarshal(raw, &m)
		if m.MapValue.Fields == nil {
			return map[string]json.RawMessage{}
		}
		return m.MapValue.Fields
	}
	d := sub(dst[path[0]])
	setPath(d, sub(v), path[1:])
	b, _ := json.Marshal(map[string]any{"mapValue": map[string]any{"fields": d}})
	dst[path[0]] = b
}

func (f *fakeFirestore) batchGet(w http.ResponseWriter, body map[string]json.RawMessage) {
	var names []string
	var tx string
	json.Unmarshal(body["documents"], &names)
	json.Unmarshal(body["transaction"], &tx)
	out := []map[string]any{}
	for _, n := range names {
		f.readIn(tx, n)
		if d, ok := f.docs[n]; ok {
			out = append(out, map[string]any{"found": d, "readTime": f.clock.Format(time.RFC3339Nano)})
		} else {
			out = append(out, map[string]any{"missing": n, "readTime": f.clock.Format(time.RFC3339Nano)})
		}
	}
	reply(w, out)
}

type fakeWrite struct {
	Update     *fakeDoc `json:"update"`
	Delete     string   `json:"delete"`
	UpdateMask *struct {
		FieldPaths []string `json:"fieldPaths"`
	} `json:"updateMask"`
	CurrentDocument *struct {
		Exists     *bool  `json:"exists"`
		UpdateTime string `json:"updateTime"`
	} `json:"currentDocument"`
}

func (f *fakeFirestore) commit(w http.ResponseWriter, body map[string]json.RawMessage) {
	var tx string
	var writes []fakeWrite
	json.Unmarshal(body["transaction"], &tx)
	json.Unmarshal(body["writes"], &writes)
	if tx != "" {
		reads, ok := f.txs[tx]
		if !ok {
			fsError(w, 400, "INVALID_ARGUMENT", "unknown or finished transaction")
			return
		}
		delete(f.txs, tx)
		for name, seen := range reads {
			cur := ""
			if d := f.docs[name]; d != nil {
				cur = d.UpdateTime
			}
			if cur != seen {
				fsError(w, 409, "ABORTED", "too much contention on "+name)
				return
			}
		}
	}
	for _, wr := range writes {
		name := wr.Delete
		if wr.Update != nil {
			name = wr.Update.Name
		}
		if cd := wr.CurrentDocument; cd != nil {
			exists := ""
			if cd.Exists != nil {
				exists = strconv.FormatBool(*cd.Exists)
			}
			if code, status := f.precondition(name, exists, cd.UpdateTime); code != 0 {
				fsError(w, code, status, "precondition failed for "+name)
				return
			}
		}
	}
	var results []map[string]any
	for _, wr := range writes {
		if wr.Delete != "" {
			delete(f.docs, wr.Delete)
			results = append(results, map[string]any{})
			continue
		}
		var mask []string
		if wr.UpdateMask != nil {
			mask = wr.UpdateMask.FieldPaths
		}
		f.apply(wr.Update.Name, wr.Update.Fields, mask)
		results = append(results, map[string]any{"updateTime": f.docs[wr.Update.Name].UpdateTime})
	}
	reply(w, map[string]any{"commitTime": f.clock.Format(time.RFC3339Nano), "writeResults": results})
}

// --- queries ---

type fakeQuery struct {
	From []struct {
		CollectionID   string `json:"collectionId"`
		AllDescendants bool   `json:"allDescendants"`
	} `json:"from"`
	Where   *fakeFilter `json:"where"`
	OrderBy []struct {
		Field     struct{ FieldPath string } `json:"field"`
		Direction string                     `json:"direction"`
	} `json:"orderBy"`
	StartAt *fakeCursor `json:"startAt"`
	EndAt   *fakeCursor `json:"endAt"`
	Offset  int         `json:"offset"`
	Limit   int         `json:"limit"`
}

type fakeFilter struct {
	FieldFilter *struct {
		Field struct{ FieldPath string } `json:"field"`
		Op    string                     `json:"op"`
		Value json.RawMessage            `json:"value"`
	} `json:"fieldFilter"`
	CompositeFilter *struct {
		Op      string       `json:"op"`
		Filters []fakeFilter `json:"filters"`
	} `json:"compositeFilter"`
}

type fakeCursor struct {
	Values []json.RawMessage `json:"values"`
	Before bool              `json:"before"`
}

func (f *fakeFirestore) runQuery(w http.ResponseWriter, parent string, body map[string]json.RawMessage) {
	var sq fakeQuery
	var tx string
	if err := json.Unmarshal(body["structuredQuery"], &sq); err != nil || len(sq.From) != 1 {
		fsError(w, 400, "INVALID_ARGUMENT", "bad structuredQuery")
		return
	}
	json.Unmarshal(body["transaction"], &tx)
	var docs []*fakeDoc
	for name, d := range f.docs {
		if inQueryScope(name, parent, sq.From[0].CollectionID, sq.From[0].AllDescendants) && matches(d, sq.Where) && hasOrderFields(d, sq) {
			docs = append(docs, d)
		}
	}
	sort.Slice(docs, func(i, j int) bool { return orderCompare(docs[i], docs[j], sq) < 0 })
	var out []map[string]any
	skipped := 0
	for _, d := range docs {
		if sq.StartAt != nil && !afterStart(d, sq) || sq.EndAt != nil && !beforeEnd(d, sq) {
			continue
		}
		if skipped < sq.Offset {
			skipped++
			continue
		}
		if sq.Limit > 0 && len(out) == sq.Limit {
			break
		}
		f.readIn(tx, d.Name)
		out = append(out, map[string]any{"document": d, "readTime": f.clock.Format(time.RFC3339Nano)})
	}
	if len(out) == 0 {
		// The real service answers a query without results with one
		// element that has only a read time.
		out = append(out, map[string]any{"readTime": f.clock.Format(time.RFC3339Nano)})
	}
	f.stream(w, out)
}

// stream writes a JSON array one element at a time, flushing each, as the
// real service streams runQuery answers.
func (f *fakeFirestore) stream(w http.ResponseWriter, elems []map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	fl := w.(http.Flusher)
	w.Write([]byte("[\n"))
	for i, e := range elems {
		if i > 0 {
			w.Write([]byte(",\n"))
		}
		if f.streamFailAfter > 0 && i == f.streamFailAfter {
			e = map[string]any{"error": map[string]any{"code": 503, "message": "stream broke", "status": "UNAVAILABLE"}}
		}
		json.NewEncoder(w).Encode(e)
		fl.Flush()
		if f.streamFailAfter > 0 && i == f.streamFailAfter {
			break
		}
		if i == 0 && f.streamGate != nil {
			select {
			case <-f.streamGate:
			case <-time.After(5 * time.Second):
				panic(http.ErrAbortHandler)
			}
		}
	}
	w.Write([]byte("]\n"))
}

// inQueryScope reports whether the document name is in the collection
// collID directly below parent, or, for a collection-group query, in any
// collection called collID at any depth below parent.
func inQueryScope(name, parent, collID string, allDescendants bool) bool {
	rest, ok := strings.CutPrefix(name, parent+"/")
	if !ok {
		return false
	}
	segs := strings.Split(rest, "/")
	if !allDescendants {
		return len(segs) == 2 && segs[0] == collID
	}
	return len(segs)%2 == 0 && segs[len(segs)-2] == collID
}

func fieldAt(d *fakeDoc, path string) (json.RawMessage, bool) {
	if path == "__name__" {
		b, _ := json.Marshal(map[string]string{"referenceValue": d.Name})
		return b, true
	}
	fields := d.Fields
	parts := strings.Split(path, ".")
	for i, p := range parts {
		v, ok := fields[p]
		if !ok {
			return nil, false
		}
		if i == len(parts)-1 {
			return v, true
		}
		var m struct {
			MapValue struct {
				Fields map[string]json.RawMessage `json:"fields"`
			} `json:"mapValue"`
		}
		json.Unmarshal(v, &m)
		fields = m.MapValue.Fields
	}
	return nil, false
}

func hasOrderFields(d *fakeDoc, sq fakeQuery) bool {
	for _, o := range sq.OrderBy {
		if _, ok := fieldAt(d, o.Field.FieldPath); !ok {
			return false
		}
	}
	return true
}

func matches(d *fakeDoc, fl *fakeFilter) bool {
	if fl == nil {
		return true
	}
	if cf := fl.CompositeFilter; cf != nil {
		for i := range cf.Filters {
			if !matches(d, &cf.Filters[i]) {
				return false
			}
		}
		return true
	}
	ff := fl.FieldFilter
	v, ok := fieldAt(d, ff.Field.FieldPath)
	if !ok {
		return false
	}
	c := compareValues(v, ff.Value)
	switch ff.Op {
	case "EQUAL":
		return c == 0
	case "NOT_EQUAL":
		return c != 0
	case "LESS_THAN":
		return c < 0
	case "LESS_THAN_OR_EQUAL":
		return c <= 0
	case "GREATER_THAN":
		return c > 0
	case "GREATER_THAN_OR_EQUAL":
		return c >= 0
	case "ARRAY_CONTAINS":
		for _, e := range arrayOf(v) {
			if compareValues(e, ff.Value) == 0 {
				return true
			}
		}
	case "IN", "NOT_IN":
		found := false
		for _, e := range arrayOf(ff.Value) {
			found = found || compareValues(v, e) == 0
		}
		return found == (ff.Op == "IN")
	case "ARRAY_CONTAINS_ANY":
		for _, e := range arrayOf(v) {
			for _, want := range arrayOf(ff.Value) {
				if compareValues(e, want) == 0 {
					return true
				}
			}
		}
	}
	return false
}

func arrayOf(v json.RawMessage) []json.RawMessage {
	var a struct {
		ArrayValue struct {
			Values []json.RawMessage `json:"values"`
		} `json:"arrayValue"`
	}
	json.Unmarshal(v, &a)
	return a.ArrayValue.Values
}

// orderCompare orders by the query's keys, then by document name.
func orderCompare(a, b *fakeDoc, sq fakeQuery) int {
	for _, o := range sq.OrderBy {
		va, _ := fieldAt(a, o.Field.FieldPath)
		vb, _ := fieldAt(b, o.Field.FieldPath)
		c := compareValues(va, vb)
		if o.Direction == "DESCENDING" {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return strings.Compare(a.Name, b.Name)
}

// cursorCompare compares a document's order keys with cursor values.
func cursorCompare(d *fakeDoc, sq fakeQuery, cur *fakeCursor) int {
	for i, cv := range cur.Values {
		if i >= len(sq.OrderBy) {
			break
		}
		o := sq.OrderBy[i]
		v, _ := fieldAt(d, o.Field.FieldPath)
		c := compareValues(v, cv)
		if o.Direction == "DESCENDING" {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func afterStart(d *fakeDoc, sq fakeQuery) bool {
	c := cursorCompare(d, sq, sq.StartAt)
	return c > 0 || c == 0 && sq.StartAt.Before
}

func beforeEnd(d *fakeDoc, sq fakeQuery) bool {
	c := cursorCompare(d, sq, sq.EndAt)
	return c < 0 || c == 0 && !sq.EndAt.Before
}

// compareValues orders two Firestore values: by type class, then by value.
func compareValues(a, b json.RawMessage) int {
	ka, va := decodeFake(a)
	kb, vb := decodeFake(b)
	if ka != kb {
		return ka - kb
	}
	switch x := va.(type) {
	case float64:
		y := vb.(float64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case bool:
		y := vb.(bool)
		if x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	case time.Time:
		return x.Compare(vb.(time.Time))
	case string:
		return strings.Compare(x, vb.(string))
	}
	return strings.Compare(string(a), string(b))
}

// decodeFake returns a value's type class and comparable Go value.
func decodeFake(raw json.RawMessage) (int, any) {
	var m map[string]json.RawMessage
	json.Unmarshal(raw, &m)
	for k, v := range m {
		var s string
		json.Unmarshal(v, &s)
		switch k {
		case "nullValue":
			return 0, nil
		case "booleanValue":
			var b bool
			json.Unmarshal(v, &b)
			return 1, b
		case "integerValue":
			n, _ := strconv.ParseFloat(s, 64)
			return 2, n
		case "doubleValue":
			var d float64
			if json.Unmarshal(v, &d) != nil {
				d = math.NaN()
			}
			return 2, d
		case "timestampValue":
			t, _ := time.Parse(time.RFC3339Nano, s)
			return 3, t
		case "stringValue":
			return 4, s
		case "bytesValue":
			return 5, s
		case "referenceValue":
			return 6, s
		case "arrayValue":
			return 8, string(v)
		case "mapValue":
			return 9, string(v)
		}
	}
	return 10, nil
}
