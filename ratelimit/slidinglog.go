package ratelimit

import "sort"

// slidingLog holds the times (µs) of the last allowed requests of one key,
// oldest first. Because denied requests are never recorded, the last limit
// allowed requests are all a decision needs: a request is allowed exactly
// when fewer than limit of them are younger than the window. The slice grows
// geometrically up to limit entries and then becomes a ring starting at head.
// ratelimit.lua keeps the same layout in a Redis string.
type slidingLog struct {
	ts    []int64
	head  int
	limit int
}

// at returns the i-th oldest entry.
func (l *slidingLog) at(i int) int64 {
	j := l.head + i
	if j >= len(l.ts) {
		j -= len(l.ts)
	}
	return l.ts[j]
}

// newest returns the newest entry, or 0 when the log is empty.
func (l *slidingLog) newest() int64 {
	if len(l.ts) == 0 {
		return 0
	}
	return l.at(len(l.ts) - 1)
}

// decide decides a request at now (µs) against limit and window (µs),
// recording it when allowed. A now older than the newest entry is raised to
// it, so the log stays sorted even if the clock steps back.
func (l *slidingLog) decide(now, window int64, limit int) decision {
	if l.limit != limit {
		l.relimit(limit)
	}
	now = max(now, l.newest())
	n := len(l.ts)
	cutoff := now - window
	first := sort.Search(n, func(i int) bool { return l.at(i) > cutoff })
	in := n - first
	if in >= limit {
		return decision{allowed: false, remaining: 0, reset: l.at(first) + window, now: now}
	}
	oldest := now
	if in > 0 {
		oldest = l.at(first)
	}
	l.record(now, first)
	return decision{allowed: true, remaining: limit - in - 1, reset: oldest + window, now: now}
}

// record appends now; first is the index of the oldest entry in the window.
func (l *slidingLog) record(now int64, first int) {
	n := len(l.ts)
	switch {
	case n < l.limit && n < cap(l.ts): // not a ring yet, so head is 0
		l.ts = append(l.ts, now)
	case n < l.limit: // grow, dropping the entries that left the window
		in := n - first
		ts := make([]int64, 0, min(l.limit, max(4, 2*(in+1))))
		for i := first; i < n; i++ {
			ts = append(ts, l.at(i))
		}
		l.ts, l.head = append(ts, now), 0
	default: // a full ring: the oldest entry has left the window
		l.ts[l.head] = now
		l.head = (l.head + 1) % n
	}
}

// relimit keeps the newest min(len, limit) entries under a changed limit.
func (l *slidingLog) relimit(limit int) {
	n := len(l.ts)
	keep := min(n, limit)
	ts := make([]int64, 0, keep)
	for i := n - keep; i < n; i++ {
		ts = append(ts, l.at(i))
	}
	l.ts, l.head, l.limit = ts, 0, limit
}
