// Package depcheck holds a test that keeps heavy dependencies (gRPC, the
// FCM SDK, Prometheus) confined to the packages that need them.
package depcheck
