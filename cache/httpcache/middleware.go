package httpcache

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/groundwork-go/groundwork/cache"
)

// Options configures the middleware. The zero value works.
type Options struct {
	// TTL is how long a response without max-age or s-maxage is stored.
	// Default 1 minute.
	TTL time.Duration
	// MaxTTL caps the lifetime a response's Cache-Control asks for.
	// Default 1 hour.
	MaxTTL time.Duration
	// AllowAuthorized stores and serves responses to requests that carry an
	// Authorization header. Set it only on routes whose response is the
	// same for every caller, or whose handler sends Vary: Authorization
	// (each token then gets its own entry). Default false: such requests
	// bypass the cache.
	AllowAuthorized bool
	// MaxBodyBytes is the largest body stored; larger responses stream
	// through uncached. Default 1 MiB.
	MaxBodyBytes int
	// KeyPrefix starts every key this middleware writes to the store; the
	// request path follows it, so Store.DeletePrefix(KeyPrefix+"/things")
	// invalidates everything under /things. Default "http:".
	KeyPrefix string
	// Tags are added to every stored response, for Store.DeleteTag.
	// Default none.
	Tags []string
	// Logger receives store failures (the response is then served by the
	// handler). Default slog.Default().
	Logger *slog.Logger
}

// CacheStatusHeader reports HIT or MISS on responses the middleware
// handled.
const CacheStatusHeader = "X-Cache"

type middleware struct {
	store cache.Store
	opts  Options
	next  http.Handler
}

// New returns middleware that caches GET and HEAD 200 responses in store.
// Mount it per route, innermost (after authentication and rate limiting),
// so that only the route's own headers are stored.
func New(store cache.Store, opts Options) func(http.Handler) http.Handler {
	if opts.TTL <= 0 {
		opts.TTL = time.Minute
	}
	if opts.MaxTTL <= 0 {
		opts.MaxTTL = time.Hour
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = "http:"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return &middleware{store: store, opts: opts, next: next}
	}
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead ||
		r.Header.Get("Authorization") != "" && !m.opts.AllowAuthorized {
		m.next.ServeHTTP(w, r)
		return
	}
	policy := parseRequestPolicy(r)
	if policy.bypass {
		m.next.ServeHTTP(w, r)
		return
	}
	base := baseKey(m.opts.KeyPrefix, r)
	if !policy.reload {
		if e, ok := m.lookup(r, base); ok && fresh(e, policy) {
			writeStored(w, r, e, "HIT")
			return
		}
	}
	if r.Method == http.MethodHead {
		// A HEAD response has no body to store; GETs fill the entry.
		m.next.ServeHTTP(w, r)
		return
	}
	rec := newRecorder(w, m.opts.MaxBodyBytes, m.storable)
	m.next.ServeHTTP(rec, r)
	if rec.status == 0 && !rec.passthrough {
		rec.WriteHeader(http.StatusOK) // the handler wrote nothing
	}
	if rec.passthrough {
		return
	}
	e := &entry{Header: storableHeader(rec.header), Body: rec.body.Bytes(), ETag: rec.header.Get("ETag"), Stored: time.Now().Unix()}
	if e.ETag == "" {
		e.ETag = strongETag(e.Body)
		e.Header.Set("ETag", e.ETag)
	}
	m.save(r, base, e, responseTTL(rec.header, m.opts.TTL, m.opts.MaxTTL))
	writeStored(w, r, e, "MISS")
}

// storable reports whether a response with this status and headers may be
// stored.
func (m *middleware) storable(status int, h http.Header) bool {
	if status != http.StatusOK || h.Get("Set-Cookie") != "" {
		return false
	}
	if _, star := parseVary(h); star {
		return false
	}
	return responseTTL(h, m.opts.TTL, m.opts.MaxTTL) > 0
}

func fresh(e *entry, p requestPolicy) bool {
	return p.maxAge < 0 || time.Since(time.Unix(e.Stored, 0)) <= p.maxAge
}

// lookup finds the stored response for r, following a Vary pointer.
func (m *middleware) lookup(r *http.Request, base string) (*entry, bool) {
	e, ok := m.get(r.Context(), base)
	if !ok || len(e.Vary) == 0 {
		return e, ok
	}
	return m.get(r.Context(), variantKey(base, e.Vary, r))
}

func (m *middleware) get(ctx context.Context, key string) (*entry, bool) {
	data, err := m.store.Get(ctx, key)
	if err != nil {
		if !errors.Is(err, cache.ErrNotFound) {
			m.opts.Logger.WarnContext(ctx, "httpcache: read failed; serving from the handler", "err", err.Error())
		}
		return nil, false
	}
	var e entry
	if err := json.Unmarshal(data, &e); err != nil {
		m.opts.Logger.WarnContext(ctx, "httpcache: undecodable entry; serving from the handler", "err", err.Error())
		return nil, false
	}
	return &e, true
}

// save stores e for r under base (or under its variant key, with a Vary
// pointer at base).
func (m *middleware) save(r *http.Request, base string, e *entry, ttl time.Duration) {
	ctx := r.Context()
	vary, _ := parseVary(e.Header)
	if len(vary) > 0 {
		m.put(ctx, base, &entry{Vary: vary}, ttl)
		m.put(ctx, variantKey(base, vary, r), e, ttl)
		return
	}
	m.put(ctx, base, e, ttl)
}

func (m *middleware) put(ctx context.Context, key string, e *entry, ttl time.Duration) {
	data, err := json.Marshal(e)
	if err == nil {
		err = m.store.Set(ctx, key, data, ttl, m.opts.Tags...)
	}
	if err != nil {
		m.opts.Logger.WarnContext(ctx, "httpcache: write failed", "err", err.Error())
	}
}

// notModifiedHeaders are the headers a 304 repeats (RFC 9110, 15.4.5).
var notModifiedHeaders = []string{"Cache-Control", "Content-Location", "ETag", "Expires", "Vary"}

// writeStored sends e, or 304 Not Modified when the client's If-None-Match
// matches its ETag.
func writeStored(w http.ResponseWriter, r *http.Request, e *entry, status string) {
	h := w.Header()
	h.Set(CacheStatusHeader, status)
	if status == "HIT" {
		h.Set("Age", strconv.FormatInt(max(0, time.Now().Unix()-e.Stored), 10))
	}
	if noneMatch(r, e.ETag) {
		for _, name := range notModifiedHeaders {
			if v := e.Header.Values(name); len(v) > 0 {
				h[http.CanonicalHeaderKey(name)] = v
			}
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	copyHeader(h, e.Header)
	h.Set("Content-Length", strconv.Itoa(len(e.Body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(e.Body)
	}
}
