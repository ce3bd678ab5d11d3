// Package depcheck holds a test that keeps heavy dependencies (gRPC, the
// FCM SDK, Prometheus) confined to the packages that need them, and the
// database drivers out of the packages that only use a database handed to
// them.
package depcheck
