// Package depcheck holds tests that keep heavy dependencies (gRPC, the
// FCM SDK, Prometheus, OpenTelemetry) confined to the packages that need
// them, the database drivers out of the packages that only use a database
// handed to them, and this repository's test helpers (miniredis, chi,
// internal/testenv) out of every library package, conformance suites
// included.
package depcheck
