package auth

import (
	"errors"
	"net/http"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
)

// SessionView is one session in the user's list of sessions.
type SessionView struct {
	ID              string    `json:"id"`
	CreatedAt       time.Time `json:"created_at"`
	LastRefreshedAt time.Time `json:"last_refreshed_at"`
	ExpiresAt       time.Time `json:"expires_at"`
	UserAgent       string    `json:"user_agent"`
	ClientIP        string    `json:"client_ip"`
	// Current marks the session of the request's own access token.
	Current bool `json:"current"`
}

// SessionList is the body of ListSessionsHandler's response.
type SessionList struct {
	Sessions []SessionView `json:"sessions"`
}

// EndedSessions is the body of EndSessionsHandler's response.
type EndedSessions struct {
	// Ended is how many sessions were ended.
	Ended int `json:"ended"`
}

// ListSessionsHandler serves the caller's live sessions behind Middleware:
// 200 SessionList, newest first, the caller's own marked current.
func (a *Authenticator) ListSessionsHandler() http.Handler {
	return a.withSession(func(w http.ResponseWriter, r *http.Request, id *Identity) {
		list, err := a.ListSessions(r.Context(), id.Subject)
		if err != nil {
			a.writeError(w, r, httpError(err, ""))
			return
		}
		out := SessionList{Sessions: make([]SessionView, 0, len(list))}
		for _, s := range list {
			out.Sessions = append(out.Sessions, SessionView{ID: s.ID, CreatedAt: s.CreatedAt.UTC(),
				LastRefreshedAt: s.RefreshedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC(),
				UserAgent: s.Client.UserAgent, ClientIP: s.Client.IP, Current: s.ID == id.Claims.SessionID})
		}
		w.Header().Set("Cache-Control", "no-store")
		httpx.WriteJSON(w, http.StatusOK, out)
	})
}

// EndSessionHandler ends one of the caller's sessions behind Middleware,
// named by the path value "id" (a pattern such as
// "DELETE /sessions/{id}"): 204, or 404 when the caller has no live session
// of that id (another user's sessions are not found either). Ending the
// current session logs the caller out.
func (a *Authenticator) EndSessionHandler() http.Handler {
	return a.withSession(func(w http.ResponseWriter, r *http.Request, id *Identity) {
		ended, err := a.EndSession(r.Context(), id.Subject, r.PathValue("id"), EndRevoked)
		if errors.Is(err, ErrSessionNotFound) || (err == nil && !ended) {
			a.writeError(w, r, httpx.NotFound("Session not found"))
			return
		}
		if err != nil {
			a.writeError(w, r, httpError(err, ""))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// EndSessionsHandler ends the caller's other sessions behind Middleware,
// or all of them, the current one included, with the query parameter
// all=true: 200 EndedSessions.
func (a *Authenticator) EndSessionsHandler() http.Handler {
	return a.withSession(func(w http.ResponseWriter, r *http.Request, id *Identity) {
		except := id.Claims.SessionID
		switch r.URL.Query().Get("all") {
		case "", "false":
		case "true":
			except = ""
		default:
			httpx.WriteError(w, r, (&httpx.ValidationError{}).Add([]string{"query", "all"},
				"must be true or false", "value_error.bool"))
			return
		}
		n, err := a.EndSessions(r.Context(), id.Subject, except)
		if err != nil {
			a.writeError(w, r, httpError(err, ""))
			return
		}
		httpx.WriteJSON(w, http.StatusOK, EndedSessions{Ended: n})
	})
}

// withSession runs fn for requests authenticated with a Groundwork access
// token (which names a session).
func (a *Authenticator) withSession(fn func(w http.ResponseWriter, r *http.Request, id *Identity)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := FromContext(r.Context())
		if !ok || id.Claims == nil {
			w.Header().Set("WWW-Authenticate", "Bearer")
			a.writeError(w, r, httpx.Unauthorized("Not authenticated"))
			return
		}
		fn(w, r, id)
	})
}
