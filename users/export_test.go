package users

// Derivations reports how many argon2 computations h has run.
func Derivations(h *Hasher) int64 { return h.derivations.Load() }
