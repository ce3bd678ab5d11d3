package appstore

import "time"

// Timestamp is a point in time as the App Store encodes it: milliseconds since
// the Unix epoch. Zero means the field was absent.
type Timestamp int64

// Time returns t as a time.Time in UTC, or the zero time.Time when t is zero.
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(t)).UTC()
}

// TimestampOf returns tm as a Timestamp, or zero for the zero time.Time.
func TimestampOf(tm time.Time) Timestamp {
	if tm.IsZero() {
		return 0
	}
	return Timestamp(tm.UnixMilli())
}
