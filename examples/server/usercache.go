package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/groundwork-go/groundwork/cache"
	"github.com/groundwork-go/groundwork/users"
)

// userProfileTTL bounds how long a profile stays cached; every change
// invalidates it at once, so this only limits memory.
const userProfileTTL = 10 * time.Minute

// cachedProfiles serves the lookups made on every authenticated request —
// the existence check and GET /users/me — from the cache, so a warm
// request costs no database query. Only the public profile is cached (the
// password hash never leaves the database: it is not serialised).
type cachedProfiles struct {
	svc   *users.Service
	cache *cache.Typed[users.User]
}

func newCachedProfiles(store cache.Store, logger *slog.Logger, onEvent func(cache.Event)) *cachedProfiles {
	return &cachedProfiles{cache: cache.NewTyped[users.User](store, cache.TypedOptions{
		Name:     "users",
		TTL:      userProfileTTL,
		NotFound: users.ErrNotFound,
		Logger:   logger,
		OnEvent:  onEvent,
		// users.User holds only strings and times, so sharing one decoded
		// value between readers is safe and saves the JSON decode.
		ShareDecoded: true,
	})}
}

func profileKey(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// profileMemo carries the profile that the existence check of an
// authenticated request loaded on to the same request's handler, which then
// skips a second cache lookup. It is set by withProfileMemo.
type profileMemo struct {
	id   int64
	user users.User
	set  bool
}

type profileMemoKey struct{}

// withProfileMemo gives each request a profileMemo.
func withProfileMemo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), profileMemoKey{}, &profileMemo{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func memoFrom(ctx context.Context) *profileMemo {
	m, _ := ctx.Value(profileMemoKey{}).(*profileMemo)
	return m
}

// Get returns the user's profile, loading it from the database on a miss.
// Concurrent misses for one user share one query.
func (p *cachedProfiles) Get(ctx context.Context, id int64) (*users.User, error) {
	m := memoFrom(ctx)
	if m != nil && m.set && m.id == id {
		u := m.user
		return &u, nil
	}
	u, err := p.cache.GetOrLoad(ctx, profileKey(id), func(ctx context.Context) (users.User, error) {
		u, err := p.svc.Get(ctx, id)
		if err != nil {
			return users.User{}, err
		}
		public := *u
		public.PasswordHash = ""
		return public, nil
	})
	if err != nil {
		return nil, err
	}
	if m != nil {
		m.id, m.user, m.set = id, u, true
	}
	return &u, nil
}

// Exists implements auth.SubjectChecker through the cache.
func (p *cachedProfiles) Exists(ctx context.Context, subject string) (bool, error) {
	id, err := strconv.ParseInt(subject, 10, 64)
	if err != nil {
		return false, nil
	}
	_, err = p.Get(ctx, id)
	if errors.Is(err, users.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Invalidate is users.Options.OnChange: it drops the cached profile after
// a profile update, password change or deletion, in every process.
func (p *cachedProfiles) Invalidate(ctx context.Context, id int64) {
	if m := memoFrom(ctx); m != nil && m.id == id {
		m.set = false
	}
	p.cache.Delete(ctx, profileKey(id))
}
