package main

import (
	"math/bits"
	"time"
)

// histogram counts latencies in microseconds in log-linear buckets: exact
// below 128 µs, then 64 buckets per power of two (under 1.6% error), so
// memory stays fixed however long a run lasts.
type histogram struct {
	counts [128 + 64*40]uint64
	n      uint64
}

func bucketOf(us uint64) int {
	if us < 128 {
		return int(us)
	}
	shift := bits.Len64(us) - 7 // us>>shift is in [64, 127]
	idx := 128 + (shift-1)*64 + int(us>>shift) - 64
	if idx >= len(histogram{}.counts) {
		return len(histogram{}.counts) - 1
	}
	return idx
}

// bucketValue is the upper bound (µs) of bucket i.
func bucketValue(i int) uint64 {
	if i < 128 {
		return uint64(i)
	}
	shift := (i-128)/64 + 1
	mant := uint64((i-128)%64 + 64)
	return ((mant + 1) << shift) - 1
}

func (h *histogram) record(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	h.counts[bucketOf(uint64(us))]++
	h.n++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the latency at q (0 < q ≤ 1), or 0 with no samples.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(bucketValue(i)) * time.Microsecond
		}
	}
	return time.Duration(bucketValue(len(h.counts)-1)) * time.Microsecond
}
