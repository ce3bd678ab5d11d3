package main

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/groundwork-go/groundwork/auth"
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

// Get returns the user's profile, loading it from the database on a miss.
// Concurrent misses for one user share one query. For the request's own
// user, the profile that the token check loaded (LoadSubject, kept in the
// request's auth.Identity) is used without a second lookup.
func (p *cachedProfiles) Get(ctx context.Context, id int64) (*users.User, error) {
	if ident, ok := auth.FromContext(ctx); ok {
		// LoadSubject made this copy for the request alone.
		if u, ok := ident.Record.(*users.User); ok && u.ID == id {
			return u, nil
		}
	}
	u, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func (p *cachedProfiles) load(ctx context.Context, id int64) (users.User, error) {
	return p.cache.GetOrLoad(ctx, profileKey(id), func(ctx context.Context) (users.User, error) {
		u, err := p.svc.Get(ctx, id)
		if err != nil {
			return users.User{}, err
		}
		public := *u
		public.PasswordHash = ""
		return public, nil
	})
}

// LoadSubject implements auth.SubjectLoader through the cache: the
// profile it returns (a *users.User of the request's own) is the request's
// auth.Identity.Record.
func (p *cachedProfiles) LoadSubject(ctx context.Context, subject string) (any, bool, error) {
	id, err := strconv.ParseInt(subject, 10, 64)
	if err != nil {
		return nil, false, nil
	}
	u, err := p.load(ctx, id)
	if errors.Is(err, users.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &u, true, nil
}

// Exists implements auth.SubjectChecker through the cache.
func (p *cachedProfiles) Exists(ctx context.Context, subject string) (bool, error) {
	_, exists, err := p.LoadSubject(ctx, subject)
	return exists, err
}

// Invalidate is users.Options.OnChange: it drops the cached profile after
// a profile update, password change or deletion, in every process, and the
// copy the request's own token check loaded.
func (p *cachedProfiles) Invalidate(ctx context.Context, id int64) {
	if ident, ok := auth.FromContext(ctx); ok {
		if u, ok := ident.Record.(*users.User); ok && u.ID == id {
			ident.Record = nil
		}
	}
	p.cache.Delete(ctx, profileKey(id))
}
