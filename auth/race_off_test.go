//go:build !race

package auth_test

// raceEnabled scales down loops that the race detector slows tenfold.
const raceEnabled = false
