package b2_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeB2 is an in-memory B2 service speaking the v3 JSON API and the download
// protocol that blazer uses. Names in upload headers and download paths are
// query-escaped ("+" for space), as on the real service.
type fakeB2 struct {
	t          *testing.T
	srv        *httptest.Server
	keyID, key string
	bucketName string
	bucketID   string
	minPart    int64

	mu  sync.Mutex
	now func() time.Time
	// tokens are the valid account authorization tokens: like the real
	// service, a new authorization does not end the earlier ones.
	tokens    map[string]bool
	expired   map[string]bool
	nextID    int
	versions  map[string][]*fakeFile // name -> versions, newest first
	byID      map[string]*fakeFile
	large     map[string]*fakeLarge
	downloads map[string]fakeDownloadAuth
	calls     map[string]int
	// failures makes the next calls to an API method fail with a status.
	failures map[string][]int
	// outage, when non-zero, makes every call fail with this status and
	// a Retry-After of outageRetryAfter.
	outage           int
	outageRetryAfter string
	// hangs makes calls of these methods never answer (until the client
	// gives up, or ten seconds have passed).
	hangs map[string]bool
	// cuts makes the next downloads (by name or by ID) break off after
	// sending this many bytes of their body, one entry per download; a
	// negative entry lets its download through.
	cuts []int
}

type fakeFile struct {
	ID, Name, ContentType, Action, SHA1 string
	Info                                map[string]string
	Data                                []byte
	Timestamp                           int64
}

type fakeLarge struct {
	file  *fakeFile
	parts map[int][]byte
}

type fakeDownloadAuth struct {
	prefix  string
	expires time.Time
}

func newFakeB2(t *testing.T) *fakeB2 {
	t.Helper()
	f := &fakeB2{
		t: t, keyID: "key-id", key: "app-key-secret", bucketName: "test-bucket", bucketID: "bkt001",
		minPart: 100 << 10, now: time.Now,
		versions: map[string][]*fakeFile{}, byID: map[string]*fakeFile{}, large: map[string]*fakeLarge{},
		hangs: map[string]bool{}, tokens: map[string]bool{}, expired: map[string]bool{}, downloads: map[string]fakeDownloadAuth{}, calls: map[string]int{}, failures: map[string][]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /b2api/v3/b2_authorize_account", f.authorize)
	mux.HandleFunc("POST /b2api/v3/{method}", f.api)
	mux.HandleFunc("POST /upload/{bucketID}", f.upload)
	mux.HandleFunc("POST /upload_part/{fileID}", f.uploadPart)
	mux.HandleFunc("GET /file/{bucket}/", f.download)
	mux.HandleFunc("HEAD /file/{bucket}/", f.download)
	mux.HandleFunc("GET /b2api/v3/b2_download_file_by_id", f.downloadByID)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// startOutage makes every later call fail with status, asking clients to
// retry after retryAfter seconds.
func (f *fakeB2) startOutage(status int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outage, f.outageRetryAfter = status, retryAfter
}

// hang reports whether method is set to hang, and if so waits until the
// client goes away (or ten seconds have passed) without answering.
func (f *fakeB2) hang(r *http.Request, method string) bool {
	f.mu.Lock()
	h := f.hangs[method]
	if h {
		f.calls[method]++
	}
	f.mu.Unlock()
	if h {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	return h
}

// revokeTokens ends every account authorization, as their expiry does.
func (f *fakeB2) revokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for tok := range f.tokens {
		f.expired[tok] = true
	}
	clear(f.tokens)
}

// uploadTokenValid reports whether an upload request carries the upload token
// of a valid account authorization.
func (f *fakeB2) uploadTokenValid(r *http.Request) bool {
	acct, ok := strings.CutPrefix(r.Header.Get("Authorization"), "upload-")
	return ok && f.tokens[acct]
}

// failNext makes the next len(statuses) calls of method fail with them.
func (f *fakeB2) failNext(method string, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method] = append(f.failures[method], statuses...)
}

func (f *fakeB2) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeB2Error(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "0")
	}
	writeJSON(w, status, map[string]any{"status": status, "code": code, "message": msg})
}

// injected reports (and writes) a scripted failure for method.
func (f *fakeB2) injected(w http.ResponseWriter, method string) bool {
	f.calls[method]++
	if f.outage != 0 {
		w.Header().Set("Retry-After", f.outageRetryAfter)
		writeJSON(w, f.outage, map[string]any{"status": f.outage, "code": "service_unavailable", "message": "outage"})
		return true
	}
	q := f.failures[method]
	if len(q) == 0 {
		return false
	}
	f.failures[method] = q[1:]
	writeB2Error(w, q[0], "injected", fmt.Sprintf("injected %d", q[0]))
	return true
}

func (f *fakeB2) authorize(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.injected(w, "b2_authorize_account") {
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != f.keyID || pass != f.key {
		writeB2Error(w, http.StatusUnauthorized, "unauthorized", "invalid application key")
		return
	}
	f.nextID++
	token := fmt.Sprintf("acct-token-%d", f.nextID)
	f.tokens[token] = true
	writeJSON(w, http.StatusOK, map[string]any{
		"accountId":          "acct1",
		"authorizationToken": token,
		"apiInfo": map[string]any{"storageApi": map[string]any{
			"apiUrl": f.srv.URL, "downloadUrl": f.srv.URL, "s3ApiUrl": f.srv.URL,
			"recommendedPartSize": f.minPart, "absoluteMinimumPartSize": f.minPart,
			"capabilities": []string{"listBuckets", "listFiles", "readFiles", "writeFiles", "deleteFiles", "shareFiles"},
			"storageApi":   "storageApi",
		}},
	})
}

func (f *fakeB2) api(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	if f.hang(r, method) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.injected(w, method) {
		return
	}
	token := r.Header.Get("Authorization")
	if !f.tokens[token] {
		writeB2Error(w, http.StatusUnauthorized, "expired_auth_token", "authorization token is not valid")
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeB2Error(w, http.StatusBadRequest, "bad_request", "invalid JSON: "+err.Error())
		return
	}
	str := func(k string) string { s, _ := req[k].(string); return s }
	num := func(k string) int { n, _ := req[k].(float64); return int(n) }
	switch method {
	case "b2_list_buckets":
		var buckets []map[string]any
		if name := str("bucketName"); name == "" || name == f.bucketName {
			buckets = append(buckets, map[string]any{"accountId": "acct1", "bucketId": f.bucketID, "bucketName": f.bucketName, "bucketType": "allPrivate", "bucketInfo": map[string]string{}, "revision": 1})
		}
		writeJSON(w, http.StatusOK, map[string]any{"buckets": buckets})
	case "b2_get_upload_url":
		if str("bucketId") != f.bucketID {
			writeB2Error(w, http.StatusBadRequest, "bad_request", "unknown bucket")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"bucketId": f.bucketID, "uploadUrl": f.srv.URL + "/upload/" + f.bucketID, "authorizationToken": "upload-" + token})
	case "b2_list_file_names":
		f.listNames(w, str("prefix"), str("delimiter"), str("startFileName"), num("maxFileCount"))
	case "b2_list_file_versions":
		f.listVersions(w, str("prefix"), str("startFileName"), str("startFileId"), num("maxFileCount"))
	case "b2_get_file_info":
		file, ok := f.byID[str("fileId")]
		if !ok {
			writeB2Error(w, http.StatusNotFound, "not_found", "file not present")
			return
		}
		writeJSON(w, http.StatusOK, fileJSON(file))
	case "b2_delete_file_version":
		f.deleteVersion(w, str("fileName"), str("fileId"))
	case "b2_get_download_authorization":
		valid := num("validDurationInSeconds")
		if valid < 1 || valid > 604800 {
			writeB2Error(w, http.StatusBadRequest, "bad_request", "validDurationInSeconds out of range")
			return
		}
		f.nextID++
		token := fmt.Sprintf("dl-token-%d", f.nextID)
		f.downloads[token] = fakeDownloadAuth{prefix: str("fileNamePrefix"), expires: f.now().Add(time.Duration(valid) * time.Second)}
		writeJSON(w, http.StatusOK, map[string]any{"bucketId": f.bucketID, "fileNamePrefix": str("fileNamePrefix"), "authorizationToken": token})
	case "b2_start_large_file":
		f.nextID++
		info := map[string]string{}
		if m, ok := req["fileInfo"].(map[string]any); ok {
			for k, v := range m {
				info[strings.ToLower(k)], _ = v.(string)
			}
		}
		file := &fakeFile{ID: fmt.Sprintf("4_z%06d", f.nextID), Name: str("fileName"), ContentType: str("contentType"), Action: "start", Info: info, Timestamp: f.now().UnixMilli()}
		f.large[file.ID] = &fakeLarge{file: file, parts: map[int][]byte{}}
		writeJSON(w, http.StatusOK, fileJSON(file))
	case "b2_get_upload_part_url":
		if _, ok := f.large[str("fileId")]; !ok {
			writeB2Error(w, http.StatusBadRequest, "bad_request", "no such large file")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"fileId": str("fileId"), "uploadUrl": f.srv.URL + "/upload_part/" + str("fileId"), "authorizationToken": "upload-" + token})
	case "b2_finish_large_file":
		f.finishLarge(w, str("fileId"), req["partSha1Array"])
	case "b2_list_unfinished_large_files":
		var out []map[string]any
		for _, lf := range f.large {
			out = append(out, fileJSON(lf.file))
		}
		writeJSON(w, http.StatusOK, map[string]any{"files": out, "nextFileId": nil})
	case "b2_cancel_large_file":
		delete(f.large, str("fileId"))
		writeJSON(w, http.StatusOK, map[string]any{"fileId": str("fileId")})
	default:
		writeB2Error(w, http.StatusNotFound, "not_found", "unsupported method "+method)
	}
}

func fileJSON(f *fakeFile) map[string]any {
	m := map[string]any{
		"fileId": f.ID, "fileName": f.Name, "accountId": "acct1", "bucketId": "bkt001",
		"contentLength": len(f.Data), "contentSha1": f.SHA1, "contentType": f.ContentType,
		"fileInfo": f.Info, "action": f.Action, "uploadTimestamp": f.Timestamp,
	}
	if f.Action == "folder" {
		m["fileId"] = nil
	}
	return m
}

func (f *fakeB2) sortedNames() []string {
	names := make([]string, 0, len(f.versions))
	for n := range f.versions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (f *fakeB2) listNames(w http.ResponseWriter, prefix, delim, start string, max int) {
	if max <= 0 || max > 10000 {
		max = 100
	}
	var out []map[string]any
	next := ""
	lastFolder := ""
	for _, name := range f.sortedNames() {
		cur := f.versions[name][0]
		if !strings.HasPrefix(name, prefix) || cur.Action != "upload" {
			continue
		}
		entry := fileJSON(cur)
		entryName := name
		if delim != "" {
			if i := strings.Index(name[len(prefix):], delim); i >= 0 {
				entryName = name[:len(prefix)+i+len(delim)]
				if entryName == lastFolder {
					continue
				}
				entry = fileJSON(&fakeFile{Name: entryName, Action: "folder"})
			}
		}
		if entryName < start {
			continue
		}
		if len(out) == max {
			next = entryName
			break
		}
		if entry["action"] == "folder" {
			lastFolder = entryName
		}
		out = append(out, entry)
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": out, "nextFileName": nullable(next)})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (f *fakeB2) listVersions(w http.ResponseWriter, prefix, startName, startID string, max int) {
	if max <= 0 || max > 10000 {
		max = 100
	}
	var out []map[string]any
	var nextName, nextID string
	started := startID == ""
	for _, name := range f.sortedNames() {
		if !strings.HasPrefix(name, prefix) || name < startName {
			continue
		}
		for _, v := range f.versions[name] {
			if !started {
				started = v.ID == startID
				if !started {
					continue
				}
			}
			if len(out) == max {
				nextName, nextID = v.Name, v.ID
				break
			}
			out = append(out, fileJSON(v))
		}
		if nextName != "" {
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": out, "nextFileName": nullable(nextName), "nextFileId": nullable(nextID)})
}

func (f *fakeB2) deleteVersion(w http.ResponseWriter, name, id string) {
	vs := f.versions[name]
	for i, v := range vs {
		if v.ID == id {
			f.versions[name] = append(vs[:i:i], vs[i+1:]...)
			if len(f.versions[name]) == 0 {
				delete(f.versions, name)
			}
			delete(f.byID, id)
			writeJSON(w, http.StatusOK, map[string]any{"fileId": id, "fileName": name})
			return
		}
	}
	writeB2Error(w, http.StatusBadRequest, "file_not_present", "File not present: "+name+" "+id)
}

// store makes file the newest version of its name.
func (f *fakeB2) store(file *fakeFile) {
	file.Action = "upload"
	file.Timestamp = f.now().UnixMilli()
	f.versions[file.Name] = append([]*fakeFile{file}, f.versions[file.Name]...)
	f.byID[file.ID] = file
}

// readVerified reads a body and checks it against Content-Length and
// X-Bz-Content-Sha1 (a hex digest, or hex_digits_at_end for a trailing one).
func readVerified(r *http.Request) ([]byte, string, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, "", err
	}
	if want, err := strconv.Atoi(r.Header.Get("Content-Length")); err != nil || want != len(data) {
		return nil, "", fmt.Errorf("content length %q, got %d bytes", r.Header.Get("Content-Length"), len(data))
	}
	digest := r.Header.Get("X-Bz-Content-Sha1")
	if digest == "hex_digits_at_end" {
		if len(data) < 40 {
			return nil, "", fmt.Errorf("body shorter than trailing digest")
		}
		digest, data = string(data[len(data)-40:]), data[:len(data)-40]
	}
	sum := sha1.Sum(data)
	if digest != "do_not_verify" && digest != hex.EncodeToString(sum[:]) {
		return nil, "", fmt.Errorf("sha1 mismatch: header %s", digest)
	}
	return data, hex.EncodeToString(sum[:]), nil
}

func (f *fakeB2) upload(w http.ResponseWriter, r *http.Request) {
	if f.hang(r, "b2_upload_file") {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.injected(w, "b2_upload_file") {
		return
	}
	if !f.uploadTokenValid(r) || r.PathValue("bucketID") != f.bucketID {
		writeB2Error(w, http.StatusUnauthorized, "bad_auth_token", "invalid upload token")
		return
	}
	name, err := url.QueryUnescape(r.Header.Get("X-Bz-File-Name"))
	if err != nil || name == "" {
		writeB2Error(w, http.StatusBadRequest, "bad_request", "invalid file name")
		return
	}
	data, sum, err := readVerified(r)
	if err != nil {
		writeB2Error(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	info := map[string]string{}
	for k := range r.Header {
		if rest, ok := strings.CutPrefix(k, "X-Bz-Info-"); ok {
			v, _ := url.QueryUnescape(r.Header.Get(k))
			info[strings.ToLower(rest)] = v
		}
	}
	f.nextID++
	file := &fakeFile{ID: fmt.Sprintf("4_z%06d", f.nextID), Name: name, ContentType: r.Header.Get("Content-Type"), Info: info, Data: data, SHA1: sum}
	f.store(file)
	writeJSON(w, http.StatusOK, fileJSON(file))
}

func (f *fakeB2) uploadPart(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.injected(w, "b2_upload_part") {
		return
	}
	lf, ok := f.large[r.PathValue("fileID")]
	if !ok || !f.uploadTokenValid(r) {
		writeB2Error(w, http.StatusUnauthorized, "bad_auth_token", "invalid upload token")
		return
	}
	n, err := strconv.Atoi(r.Header.Get("X-Bz-Part-Number"))
	if err != nil || n < 1 || n > 10000 {
		writeB2Error(w, http.StatusBadRequest, "bad_request", "invalid part number")
		return
	}
	data, sum, err := readVerified(r)
	if err != nil {
		writeB2Error(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	lf.parts[n] = data
	writeJSON(w, http.StatusOK, map[string]any{"fileId": lf.file.ID, "partNumber": n, "contentLength": len(data), "contentSha1": sum})
}

func (f *fakeB2) finishLarge(w http.ResponseWriter, id string, sums any) {
	lf, ok := f.large[id]
	list, _ := sums.([]any)
	if !ok || len(list) != len(lf.parts) {
		writeB2Error(w, http.StatusBadRequest, "bad_request", "unknown file or wrong part count")
		return
	}
	var all bytes.Buffer
	for i, s := range list {
		part, ok := lf.parts[i+1]
		sum := sha1.Sum(part)
		if !ok || s != hex.EncodeToString(sum[:]) {
			writeB2Error(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("part %d missing or sha1 mismatch", i+1))
			return
		}
		if i < len(list)-1 && int64(len(part)) < f.minPart {
			writeB2Error(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("part %d smaller than %d bytes", i+1, f.minPart))
			return
		}
		all.Write(part)
	}
	delete(f.large, id)
	lf.file.Data = all.Bytes()
	lf.file.SHA1 = "none"
	f.store(lf.file)
	writeJSON(w, http.StatusOK, fileJSON(lf.file))
}

// download serves GET and HEAD of /file/{bucket}/{name}, authorized by the
// account token header or a download authorization in the query.
func (f *fakeB2) download(w http.ResponseWriter, r *http.Request) {
	if f.hang(r, "b2_download_file_by_name") {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.injected(w, "b2_download_file_by_name") {
		return
	}
	raw := strings.TrimPrefix(r.URL.EscapedPath(), "/file/"+f.bucketName+"/")
	name, err := url.QueryUnescape(raw)
	if err != nil || r.PathValue("bucket") != f.bucketName {
		writeB2Error(w, http.StatusBadRequest, "bad_request", "invalid file name")
		return
	}
	if f.expired[r.Header.Get("Authorization")] {
		writeB2Error(w, http.StatusUnauthorized, "expired_auth_token", "authorization token has expired")
		return
	}
	if !f.downloadAllowed(r, name) {
		writeB2Error(w, http.StatusUnauthorized, "unauthorized", "not authorized to download "+name)
		return
	}
	vs := f.versions[name]
	if len(vs) == 0 || vs[0].Action != "upload" {
		writeB2Error(w, http.StatusNotFound, "not_found", "file not present: "+name)
		return
	}
	f.serveFile(w, r, vs[0])
}

// downloadByID serves GET and HEAD of one file version by its ID, authorized
// by the account token.
func (f *fakeB2) downloadByID(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.injected(w, "b2_download_file_by_id") {
		return
	}
	if tok := r.Header.Get("Authorization"); !f.tokens[tok] {
		code := "bad_auth_token"
		if f.expired[tok] {
			code = "expired_auth_token"
		}
		writeB2Error(w, http.StatusUnauthorized, code, "invalid authorization token")
		return
	}
	id := r.URL.Query().Get("fileId")
	file, ok := f.byID[id]
	if !ok || file.Action != "upload" {
		writeB2Error(w, http.StatusNotFound, "not_found", "file not present: "+id)
		return
	}
	f.serveFile(w, r, file)
}

// serveFile answers a download of file, honouring a Range header.
func (f *fakeB2) serveFile(w http.ResponseWriter, r *http.Request, file *fakeFile) {
	start, end, status := int64(0), int64(len(file.Data)), http.StatusOK
	if rng := r.Header.Get("Range"); rng != "" {
		var ok bool
		start, end, ok = parseRange(rng, int64(len(file.Data)))
		if !ok {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(file.Data)))
			writeB2Error(w, http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable", "range "+rng)
			return
		}
		status = http.StatusPartialContent
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, len(file.Data)))
	}
	h := w.Header()
	h.Set("Content-Type", file.ContentType)
	h.Set("Content-Length", strconv.FormatInt(end-start, 10))
	h.Set("X-Bz-File-Id", file.ID)
	h.Set("X-Bz-File-Name", strings.ReplaceAll(url.QueryEscape(file.Name), "%2F", "/"))
	h.Set("X-Bz-Content-Sha1", file.SHA1)
	h.Set("X-Bz-Upload-Timestamp", strconv.FormatInt(file.Timestamp, 10))
	for k, v := range file.Info {
		h.Set("X-Bz-Info-"+k, url.QueryEscape(v))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodGet {
		return
	}
	if len(f.cuts) > 0 {
		cut := f.cuts[0]
		f.cuts = f.cuts[1:]
		if cut >= 0 && int64(cut) < end-start {
			w.Write(file.Data[start : start+int64(cut)])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
	}
	w.Write(file.Data[start:end])
}

func (f *fakeB2) downloadAllowed(r *http.Request, name string) bool {
	if f.tokens[r.Header.Get("Authorization")] {
		return true
	}
	auth, ok := f.downloads[r.URL.Query().Get("Authorization")]
	return ok && strings.HasPrefix(name, auth.prefix) && f.now().Before(auth.expires)
}

// parseRange parses a single "bytes=a-b" or "bytes=a-" range.
func parseRange(h string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	first, last, dash := strings.Cut(spec, "-")
	if !found || !dash {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 || start >= size {
		return 0, 0, false
	}
	end = size
	if last != "" {
		l, err := strconv.ParseInt(last, 10, 64)
		if err != nil || l < start {
			return 0, 0, false
		}
		end = min(l+1, size)
	}
	return start, end, true
}
