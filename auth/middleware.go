package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/groundwork-go/groundwork/httpx"
)

// Middleware authenticates requests with an access token from
// "Authorization: Bearer <token>" (scheme case-insensitive; no other token
// source is read). On success the Identity is stored in the request context
// (FromContext). Without a token the response is 401 with
// "WWW-Authenticate: Bearer"; with an unacceptable token, 401 with
// `Bearer error="invalid_token"`; when the revocation store fails, 503
// (unless Options.FailOpen).
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", "Bearer")
			a.writeError(w, r, httpx.Unauthorized("Not authenticated"))
			return
		}
		id, err := a.authenticate(r, raw)
		if errors.Is(err, ErrUnavailable) {
			a.writeError(w, r, httpError(err, ""))
			return
		}
		if err != nil {
			a.opts.Logger.DebugContext(r.Context(), "auth: token rejected", "reason", err.Error())
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			a.writeError(w, r, httpx.Unauthorized("Could not validate credentials"))
			return
		}
		httpx.AddLogAttrs(r.Context(), slog.String("user_id", id.Subject))
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}

func (a *Authenticator) authenticate(r *http.Request, raw string) (*Identity, error) {
	c, err := a.tokens.Parse(raw, AccessToken)
	if err != nil {
		for _, alt := range a.opts.Alternatives {
			sub, claims, altErr := alt.Authenticate(r.Context(), raw)
			if altErr == nil {
				return &Identity{Subject: sub, Extra: claims}, nil
			}
			if errors.Is(altErr, ErrUnavailable) {
				return nil, altErr
			}
		}
		return nil, err
	}
	record, err := a.checkLive(r.Context(), c)
	if err != nil {
		return nil, err
	}
	return &Identity{Subject: c.Subject, Claims: c, Record: record}, nil
}

// bearerToken extracts the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}
