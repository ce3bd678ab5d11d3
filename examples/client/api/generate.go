// Package api is a typed Go client of the example server's API (the
// /api/v1 surface of examples/server).
//
// The operations and types in api.gen.go are generated from
// examples/server/openapi.yaml by oapi-codegen, at the version go.mod pins
// as a tool; regenerate them with
//
//	go generate ./examples/client/api
//
// after changing the document. Session, written by hand, adds the token
// flow: it logs in, sends the access token with every request, refreshes
// the token pair once when the server answers 401, and logs out.
package api

//go:generate go tool oapi-codegen -config oapi-codegen.yaml -o api.gen.go ../../server/openapi.yaml
