package users

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

const testProject = "groundwork-test"

// account is the fake's stored user, in the API's JSON field names.
type account struct {
	LocalID          string `json:"localId"`
	Email            string `json:"email,omitempty"`
	EmailVerified    bool   `json:"emailVerified,omitempty"`
	PhoneNumber      string `json:"phoneNumber,omitempty"`
	DisplayName      string `json:"displayName,omitempty"`
	PhotoURL         string `json:"photoUrl,omitempty"`
	Disabled         bool   `json:"disabled,omitempty"`
	CustomAttributes string `json:"customAttributes,omitempty"`
	ValidSince       string `json:"validSince,omitempty"`
	CreatedAt        string `json:"createdAt,omitempty"`
	password         string
}

// fakeToolkit speaks the Identity Toolkit v1 REST API for the endpoints the
// Admin SDK uses, keeping accounts in memory.
type fakeToolkit struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	accounts map[string]*account
	nextID   int
	lastBody map[string]map[string]any // last request body per endpoint
	calls    map[string]int            // requests per endpoint
	failWith int                       // when non-zero, every request fails with this status
	failures []failure                 // the next requests fail like this, in order
}

// failure is one injected failed answer.
type failure struct {
	status     int    // HTTP status of the answer
	retryAfter string // Retry-After header, when not empty
	afterApply bool   // the request takes effect, then the answer fails (a lost answer)
}

// failNext makes the next len(fs) requests fail as described.
func (f *fakeToolkit) failNext(fs ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fs...)
}

// callCount returns how many requests reached endpoint.
func (f *fakeToolkit) callCount(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[endpoint]
}

// injected pops the next injected failure, if any.
func (f *fakeToolkit) injected() (failure, bool) {
	if len(f.failures) == 0 {
		if f.failWith != 0 {
			return failure{status: f.failWith}, true
		}
		return failure{}, false
	}
	fl := f.failures[0]
	f.failures = f.failures[1:]
	return fl, true
}

func newFakeToolkit(t *testing.T) *fakeToolkit {
	t.Helper()
	f := &fakeToolkit{t: t, accounts: map[string]*account{}, lastBody: map[string]map[string]any{}, calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/projects/{project}/accounts", f.handle("signUp", f.signUp))
	mux.HandleFunc("POST /v1/projects/{project}/accounts:lookup", f.handle("lookup", f.lookup))
	mux.HandleFunc("POST /v1/projects/{project}/accounts:update", f.handle("update", f.update))
	mux.HandleFunc("POST /v1/projects/{project}/accounts:delete", f.handle("delete", f.delete))
	mux.HandleFunc("GET /v1/projects/{project}/accounts:batchGet", f.handle("batchGet", f.batchGet))
	mux.HandleFunc("POST /v1/projects/{project}/accounts:sendOobCode", f.handle("sendOobCode", f.sendOobCode))
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// apiError is the error body the Identity Toolkit sends.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

func errBody(status int, message string) *apiError { return &apiError{status, message} }

// handle decodes the JSON body (for POST), runs fn under the lock and writes
// its result or error in the API's format.
func (f *fakeToolkit) handle(name string, fn func(r *http.Request, body map[string]any) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		body := map[string]any{}
		if r.Method == http.MethodPost {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				f.t.Errorf("%s: decoding body: %v", name, err)
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.lastBody[name] = body
		f.calls[name]++
		var res any
		var err error
		fl, failed := f.injected()
		switch {
		case failed && !fl.afterApply:
		case r.PathValue("project") != testProject:
			err = errBody(http.StatusNotFound, "PROJECT_NOT_FOUND")
		default:
			res, err = fn(r, body)
		}
		if failed {
			if fl.retryAfter != "" {
				w.Header().Set("Retry-After", fl.retryAfter)
			}
			err = errBody(fl.status, http.StatusText(fl.status))
		}
		if ae, ok := err.(*apiError); ok {
			w.WriteHeader(ae.status)
			fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"errors":[{"message":%q,"domain":"global","reason":"invalid"}]}}`,
				ae.status, ae.message, ae.message)
			return
		}
		if err := json.NewEncoder(w).Encode(res); err != nil {
			f.t.Errorf("%s: encoding response: %v", name, err)
		}
	}
}

func str(body map[string]any, key string) string { s, _ := body[key].(string); return s }

func (f *fakeToolkit) findBy(match func(*account) bool) *account {
	for _, a := range f.accounts {
		if match(a) {
			return a
		}
	}
	return nil
}

// conflict reports the error for an email or phone number already in use by another uid.
func (f *fakeToolkit) conflict(uid, email, phone string) error {
	if email != "" && f.findBy(func(a *account) bool { return a.Email == email && a.LocalID != uid }) != nil {
		return errBody(400, "EMAIL_EXISTS")
	}
	if phone != "" && f.findBy(func(a *account) bool { return a.PhoneNumber == phone && a.LocalID != uid }) != nil {
		return errBody(400, "PHONE_NUMBER_EXISTS")
	}
	return nil
}

func (f *fakeToolkit) signUp(_ *http.Request, b map[string]any) (any, error) {
	uid := str(b, "localId")
	if uid == "" {
		f.nextID++
		uid = fmt.Sprintf("generated-%03d", f.nextID)
	}
	if f.accounts[uid] != nil {
		return nil, errBody(400, "DUPLICATE_LOCAL_ID")
	}
	if err := f.conflict(uid, str(b, "email"), str(b, "phoneNumber")); err != nil {
		return nil, err
	}
	if pw := str(b, "password"); pw != "" && len(pw) < 6 {
		return nil, errBody(400, "WEAK_PASSWORD : Password should be at least 6 characters")
	}
	a := &account{
		LocalID: uid, Email: str(b, "email"), PhoneNumber: str(b, "phoneNumber"),
		DisplayName: str(b, "displayName"), PhotoURL: str(b, "photoUrl"), password: str(b, "password"),
		CreatedAt: "1764072000000",
	}
	a.EmailVerified, _ = b["emailVerified"].(bool)
	a.Disabled, _ = b["disabled"].(bool)
	f.accounts[uid] = a
	return map[string]any{"kind": "identitytoolkit#SignupNewUserResponse", "localId": uid, "email": a.Email}, nil
}

func (f *fakeToolkit) lookup(_ *http.Request, b map[string]any) (any, error) {
	var found []*account
	for key, field := range map[string]func(*account) string{
		"localId":     func(a *account) string { return a.LocalID },
		"email":       func(a *account) string { return a.Email },
		"phoneNumber": func(a *account) string { return a.PhoneNumber },
	} {
		values, _ := b[key].([]any)
		for _, v := range values {
			if a := f.findBy(func(a *account) bool { return field(a) == v }); a != nil {
				found = append(found, a)
			}
		}
	}
	res := map[string]any{"kind": "identitytoolkit#GetAccountInfoResponse"}
	if len(found) > 0 {
		res["users"] = found
	}
	return res, nil
}

func (f *fakeToolkit) update(_ *http.Request, b map[string]any) (any, error) {
	a := f.accounts[str(b, "localId")]
	if a == nil {
		return nil, errBody(400, "USER_NOT_FOUND")
	}
	if err := f.conflict(a.LocalID, str(b, "email"), str(b, "phoneNumber")); err != nil {
		return nil, err
	}
	for key, dst := range map[string]*string{"email": &a.Email, "password": &a.password, "displayName": &a.DisplayName,
		"photoUrl": &a.PhotoURL, "phoneNumber": &a.PhoneNumber, "customAttributes": &a.CustomAttributes, "validSince": &a.ValidSince} {
		if v, ok := b[key].(string); ok {
			*dst = v
		}
	}
	if v, ok := b["disableUser"].(bool); ok {
		a.Disabled = v
	}
	if v, ok := b["emailVerified"].(bool); ok {
		a.EmailVerified = v
	}
	for _, attr := range anyStrings(b["deleteAttribute"]) {
		switch attr {
		case "DISPLAY_NAME":
			a.DisplayName = ""
		case "PHOTO_URL":
			a.PhotoURL = ""
		}
	}
	if slices.Contains(anyStrings(b["deleteProvider"]), "phone") {
		a.PhoneNumber = ""
	}
	return map[string]any{"kind": "identitytoolkit#SetAccountInfoResponse", "localId": a.LocalID}, nil
}

func anyStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		if s, ok := s.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (f *fakeToolkit) delete(_ *http.Request, b map[string]any) (any, error) {
	uid := str(b, "localId")
	if f.accounts[uid] == nil {
		return nil, errBody(400, "USER_NOT_FOUND")
	}
	delete(f.accounts, uid)
	return map[string]any{"kind": "identitytoolkit#DeleteAccountResponse"}, nil
}

func (f *fakeToolkit) batchGet(r *http.Request, _ map[string]any) (any, error) {
	maxResults, err := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if err != nil || maxResults < 1 || maxResults > 1000 {
		return nil, errBody(400, "INVALID_PAGE_SELECTION")
	}
	after := r.URL.Query().Get("nextPageToken")
	var uids []string
	for uid := range f.accounts {
		if uid > after {
			uids = append(uids, uid)
		}
	}
	slices.Sort(uids)
	res := map[string]any{"kind": "identitytoolkit#DownloadAccountResponse"}
	if len(uids) > maxResults {
		uids = uids[:maxResults]
		res["nextPageToken"] = uids[len(uids)-1]
	}
	var page []*account
	for _, uid := range uids {
		page = append(page, f.accounts[uid])
	}
	if len(page) > 0 {
		res["users"] = page
	}
	return res, nil
}

func (f *fakeToolkit) sendOobCode(_ *http.Request, b map[string]any) (any, error) {
	if b["returnOobLink"] != true {
		return nil, errBody(400, "INVALID_REQ_TYPE : returnOobLink must be set for server requests")
	}
	email := str(b, "email")
	mode := map[string]string{"PASSWORD_RESET": "resetPassword", "VERIFY_EMAIL": "verifyEmail", "EMAIL_SIGNIN": "signIn"}[str(b, "requestType")]
	if mode == "" {
		return nil, errBody(400, "INVALID_REQ_TYPE")
	}
	if mode != "signIn" && f.findBy(func(a *account) bool { return a.Email == email }) == nil {
		return nil, errBody(400, "EMAIL_NOT_FOUND")
	}
	link := fmt.Sprintf("https://%s.firebaseapp.com/__/auth/action?mode=%s&oobCode=code-%s&apiKey=key&lang=en", testProject, mode, email)
	if c := str(b, "continueUrl"); c != "" {
		link += "&continueUrl=" + c
	}
	return map[string]any{"kind": "identitytoolkit#GetOobConfirmationCodeResponse", "email": email, "oobLink": link}, nil
}

// body returns the last request body sent to endpoint.
func (f *fakeToolkit) body(endpoint string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastBody[endpoint]
}

// newTestClient returns a Client talking to f, with a fixed clock and the
// retry waits on a fake clock (see fakeWaits).
func newTestClient(t *testing.T, f *fakeToolkit) *Client {
	t.Helper()
	return newTestClientWith(t, f, Config{})
}

// newTestClientWith is newTestClient with the retry settings of cfg.
func newTestClientWith(t *testing.T, f *fakeToolkit, cfg Config) *Client {
	t.Helper()
	cfg.Endpoint = f.URL + "/"
	cfg.HTTPClient = f.Client()
	cfg.Now = func() time.Time { return time.Unix(1_800_000_000, 0) }
	c, err := New(context.Background(), testProject, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	fakeWaits(c)
	return c
}

// retryClock is a fake clock for retry waits: waiting advances it.
type retryClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

// fakeWaits puts c's retry waits on a fake clock and returns it.
func fakeWaits(c *Client) *retryClock {
	rc := &retryClock{now: time.Unix(1_800_000_000, 0)}
	c.retry.clock = func() time.Time { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.now }
	c.retry.wait = func(ctx context.Context, d time.Duration) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.waits = append(rc.waits, d)
		rc.now = rc.now.Add(d)
		return ctx.Err()
	}
	return rc
}

// recorded returns the waits so far.
func (rc *retryClock) recorded() []time.Duration {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.waits)
}
