package ratelimit

// WatchdogArmed reports whether the store's batch watchdog is armed.
func (s *RedisStore) WatchdogArmed() bool {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	return !s.batch.watchAt.IsZero()
}
