package cache

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MemoryOptions configures a MemoryStore. The zero value works.
type MemoryOptions struct {
	// MaxEntries bounds the number of values held. When a Set would exceed
	// it, expired values are dropped first, then arbitrary ones. Default
	// 100000.
	MaxEntries int
	// Now is the clock used for expiry. Default time.Now; tests may supply a
	// fake clock.
	Now func() time.Time
}

// MemoryStore is a Store held in process memory, for single-process
// deployments and tests. It shares nothing between processes.
type MemoryStore struct {
	mu    sync.RWMutex
	items map[string]memoryItem
	tags  map[string]map[string]struct{}
	max   int
	now   func() time.Time
	last  uint64 // the last claim handed out
}

type memoryItem struct {
	value   string // immutable, so reads can share it
	expires int64  // Unix nanoseconds
	claim   string // non-empty for a load's claim, which holds no value
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 100000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemoryStore{
		items: make(map[string]memoryItem),
		tags:  make(map[string]map[string]struct{}),
		max:   opts.MaxEntries,
		now:   opts.Now,
	}
}

// Get returns a copy of the value under key, or ErrNotFound.
func (m *MemoryStore) Get(ctx context.Context, key string) ([]byte, error) {
	s, err := m.getString(ctx, key)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

func (m *MemoryStore) getString(_ context.Context, key string) (string, error) {
	m.mu.RLock()
	it, ok := m.items[key]
	m.mu.RUnlock()
	if !ok || it.claim != "" || it.expires <= m.now().UnixNano() {
		return "", errNotFound
	}
	return it.value, nil
}

// Set stores value under key for ttl and records the key under each tag.
func (m *MemoryStore) Set(_ context.Context, key string, value []byte, ttl time.Duration, tags ...string) error {
	if err := checkSet(key, ttl, tags); err != nil {
		return opErr("set", err)
	}
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, memoryItem{value: string(value), expires: now + int64(ttl)}, now)
	for _, tag := range tags {
		set := m.tags[tag]
		if set == nil {
			set = make(map[string]struct{})
			m.tags[tag] = set
		}
		set[key] = struct{}{}
	}
	return nil
}

// put stores it under key, making room first if key is new and the store
// is full. The caller holds m.mu.
func (m *MemoryStore) put(key string, it memoryItem, now int64) {
	if _, exists := m.items[key]; !exists && len(m.items) >= m.max {
		m.evict(now)
	}
	m.items[key] = it
}

// Claim returns key's value, or ErrNotFound and the claim that key holds
// (extended to at least ttl) or now gets.
func (m *MemoryStore) Claim(_ context.Context, key string, ttl time.Duration) ([]byte, string, error) {
	if err := checkSet(key, ttl, nil); err != nil {
		return nil, "", opErr("claim", err)
	}
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	live := ok && it.expires > now
	switch {
	case live && it.claim == "":
		return []byte(it.value), "", nil
	case live:
		it.expires = max(it.expires, now+int64(ttl))
	default:
		m.last++
		it = memoryItem{claim: "c" + strconv.FormatUint(m.last, 10), expires: now + int64(ttl)}
	}
	m.put(key, it, now)
	return nil, it.claim, opErr("claim", ErrNotFound)
}

// SetClaimed stores value under key for ttl if key still holds claim.
func (m *MemoryStore) SetClaimed(_ context.Context, key, claim string, value []byte, ttl time.Duration) (bool, error) {
	if err := checkSet(key, ttl, nil); err != nil {
		return false, opErr("set claimed", err)
	}
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	if it, ok := m.items[key]; !ok || claim == "" || it.claim != claim || it.expires <= now {
		return false, nil
	}
	m.items[key] = memoryItem{value: string(value), expires: now + int64(ttl)}
	return true, nil
}

// evict makes room for one more item: it drops expired items and, if none
// were expired, one arbitrary item, then forgets tag members that no longer
// exist. The caller holds m.mu.
func (m *MemoryStore) evict(now int64) {
	before := len(m.items)
	for k, it := range m.items {
		if it.expires <= now {
			delete(m.items, k)
		}
	}
	if len(m.items) == before {
		for k := range m.items {
			delete(m.items, k)
			break
		}
	}
	for tag, set := range m.tags {
		for k := range set {
			if _, ok := m.items[k]; !ok {
				delete(set, k)
			}
		}
		if len(set) == 0 {
			delete(m.tags, tag)
		}
	}
}

// Delete removes the keys.
func (m *MemoryStore) Delete(_ context.Context, keys ...string) error {
	if err := checkKeys(keys); err != nil {
		return opErr("delete", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.items, k)
	}
	return nil
}

// DeleteTag removes every key stored with any of the tags.
func (m *MemoryStore) DeleteTag(_ context.Context, tags ...string) error {
	if err := checkKeys(tags); err != nil {
		return opErr("delete tag", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, tag := range tags {
		for k := range m.tags[tag] {
			delete(m.items, k)
		}
		delete(m.tags, tag)
	}
	return nil
}

// DeletePrefix removes every key starting with prefix. It walks all keys.
func (m *MemoryStore) DeletePrefix(_ context.Context, prefix string) error {
	if prefix == "" {
		return opErr("delete prefix", ErrInvalidKey)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.items {
		if strings.HasPrefix(k, prefix) {
			delete(m.items, k)
		}
	}
	return nil
}
