// Package construct hands constructors of package storage to package
// storage/driver without exporting them from storage, which would offer
// them to every application.
package construct

// NewReader is set by package storage, when it is initialized, to a
// func(storage.Attributes, io.ReadCloser) *storage.Reader that builds a
// Reader. It is typed any because this package cannot import storage.
var NewReader any
