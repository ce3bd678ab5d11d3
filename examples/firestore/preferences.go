package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/storage/firestore"
)

// requestTimeout bounds the Firestore calls of one request.
const requestTimeout = 10 * time.Second

// prefsDoc is the Firestore document preferences/{user id}.
type prefsDoc struct {
	Theme                string `firestore:"theme"`
	Language             string `firestore:"language"`
	NotificationsEnabled bool   `firestore:"notifications_enabled"`
}

// prefsInput is the body of PUT /api/v1/users/me/preferences.
type prefsInput struct {
	Theme                string `json:"theme" validate:"required,oneof=light dark system"`
	Language             string `json:"language" validate:"required,min=2,max=35"`
	NotificationsEnabled *bool  `json:"notifications_enabled" validate:"required"`
}

// prefsJSON is the answer of both routes.
type prefsJSON struct {
	Theme                string    `json:"theme"`
	Language             string    `json:"language"`
	NotificationsEnabled bool      `json:"notifications_enabled"`
	Version              string    `json:"version"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// allFields are the field paths a PUT replaces.
var allFields = []string{"theme", "language", "notifications_enabled"}

// preferences serves the preference routes.
type preferences struct {
	docs *firestore.Collection[prefsDoc]
}

func (p *preferences) get(w http.ResponseWriter, r *http.Request, userID int64) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	doc, err := p.docs.Get(ctx, strconv.FormatInt(userID, 10))
	if errors.Is(err, firestore.ErrNotFound) {
		httpx.WriteError(w, r, httpx.NotFound("no preferences yet; PUT them without If-Match to create them"))
		return
	}
	if err != nil {
		httpx.WriteError(w, r, firestoreError(err))
		return
	}
	writeDoc(w, http.StatusOK, doc.Data, doc.UpdateTime)
}

// put creates or replaces the caller's preferences under the If-Match
// rules of the package documentation.
func (p *preferences) put(w http.ResponseWriter, r *http.Request, userID int64) {
	var in prefsInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ifMatch, hasIfMatch := r.Header.Get("If-Match"), r.Header.Get("If-Match") != ""
	version, err := parseVersion(ifMatch)
	if hasIfMatch && ifMatch != "*" && err != nil {
		httpx.WriteError(w, r, httpx.BadRequest(`If-Match must be the ETag of a GET, or "*"`))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	id, v := strconv.FormatInt(userID, 10), prefsDoc{Theme: in.Theme, Language: in.Language, NotificationsEnabled: *in.NotificationsEnabled}
	var doc *firestore.Document[prefsDoc]
	status := http.StatusOK
	switch {
	case !hasIfMatch:
		doc, err = p.docs.Create(ctx, id, v)
		status = http.StatusCreated
	case ifMatch == "*":
		doc, err = p.docs.Set(ctx, id, v)
	default:
		doc, err = p.docs.Update(ctx, id, v, allFields, firestore.LastUpdated(version))
	}
	switch {
	case errors.Is(err, firestore.ErrAlreadyExists):
		httpx.WriteError(w, r, conflict("the preferences exist; send If-Match with the version from GET", err))
	case errors.Is(err, firestore.ErrFailedPrecondition), errors.Is(err, firestore.ErrNotFound):
		httpx.WriteError(w, r, conflict("the preferences changed since that version; GET them and retry", err))
	case err != nil:
		httpx.WriteError(w, r, firestoreError(err))
	default:
		writeDoc(w, status, doc.Data, doc.UpdateTime)
	}
}

func conflict(detail string, cause error) *httpx.Error {
	return httpx.NewError(http.StatusConflict, httpx.CodeConflict, detail).WithCause(cause)
}

// writeDoc answers a document with its version in the body and the ETag.
func writeDoc(w http.ResponseWriter, status int, d prefsDoc, updated time.Time) {
	version := updated.UTC().Format(time.RFC3339Nano)
	w.Header().Set("ETag", strconv.Quote(version))
	httpx.WriteJSON(w, status, prefsJSON{Theme: d.Theme, Language: d.Language,
		NotificationsEnabled: d.NotificationsEnabled, Version: version, UpdatedAt: updated.UTC()})
}

// parseVersion reads an If-Match ETag (quoted or not) as an update time.
func parseVersion(etag string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, strings.Trim(strings.TrimSpace(etag), `"`))
}

// firestoreError maps a Firestore failure to the client's answer.
func firestoreError(err error) *httpx.Error {
	if errors.Is(err, firestore.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return httpx.ServiceUnavailable("the document store is unavailable; try again shortly").WithCause(err)
	}
	return httpx.Internal(err)
}
