// Command client is a tiny command line for the example server's API,
// built on the generated typed client (package api) and its token flow
// (package session):
//
//	go run ./examples/client -server http://localhost:8799 signup -username johndoe -email john@example.com -first-name John -last-name Doe
//	GROUNDWORK_PASSWORD=secretpassword go run ./examples/client -tokens tokens.json login -username johndoe
//	go run ./examples/client -tokens tokens.json me
//
// Every command prints JSON; see package cli for the flags.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/groundwork-go/groundwork/examples/client/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
