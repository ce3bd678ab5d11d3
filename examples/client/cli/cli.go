// Package cli is the command line of the example client: signup, login, me
// and logout against the example server, each printing JSON.
//
//	GROUNDWORK_PASSWORD=secretpassword client -tokens tokens.json login -username johndoe
//	client -tokens tokens.json me
//
// The token pair is the output of signup and login (and is written to the
// -tokens file when one is named); it appears nowhere else: errors name
// the operation and the server's error envelope only.
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/groundwork-go/groundwork/examples/client/api"
	"github.com/groundwork-go/groundwork/examples/client/session"
	openapi_types "github.com/oapi-codegen/runtime/types"
)

// DefaultServer is the server URL when neither -server nor GROUNDWORK_URL
// names one: the example server's default address.
const DefaultServer = "http://localhost:8799"

// Env is how the command reads its environment: os.Getenv, or a map in
// tests.
type Env func(key string) string

// IO is where the command reads the password or token pair and writes its
// output (JSON) and errors.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// usage is printed for bad arguments.
const usage = `usage: client [-server URL] [-tokens FILE] COMMAND [flags]

commands:
  signup -username U -email E -first-name F -last-name L
                   register; prints the token pair
  login -username U
                   log in (username or email); prints the token pair
  me               print the profile of the logged-in user
  logout           end the session

signup and login read the password from GROUNDWORK_PASSWORD, else from the
first line of standard input. me and logout read the token pair from the
-tokens file (GROUNDWORK_TOKENS), else from standard input; a pair refreshed
on the way is written back to the file. The server is -server, else
GROUNDWORK_URL, else ` + DefaultServer + `.
`

// Run runs the command line args (without the program name) and returns
// the exit status: 0 on success, 1 when the operation failed, 2 for bad
// arguments.
func Run(ctx context.Context, args []string, env Env, stdio IO) int {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	fs.Usage = func() { fmt.Fprint(stdio.Stderr, usage) }
	server := fs.String("server", env("GROUNDWORK_URL"), "the server's URL")
	tokens := fs.String("tokens", env("GROUNDWORK_TOKENS"), "the file that keeps the token pair")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if *server == "" {
		*server = DefaultServer
	}
	cmd := &command{env: env, io: stdio, tokensFile: *tokens}
	run, ok := map[string]func(context.Context, []string) error{
		"signup": cmd.signup, "login": cmd.login, "me": cmd.me, "logout": cmd.logout,
	}[fs.Arg(0)]
	if !ok {
		fmt.Fprintf(stdio.Stderr, "client: unknown command %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	c, err := session.New(*server, session.Options{OnTokens: cmd.saveTokens})
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "client: %v\n", err)
		return 2
	}
	cmd.client = c
	if err := run(ctx, fs.Args()[1:]); err != nil {
		fmt.Fprintf(stdio.Stderr, "client: %s: %v\n", fs.Arg(0), err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	if cmd.saveErr != nil {
		fmt.Fprintf(stdio.Stderr, "client: keep the token pair: %v\n", cmd.saveErr)
		return 1
	}
	return 0
}

// errUsage marks bad arguments of a command.
var errUsage = errors.New("bad arguments")

// command is one run: its settings and the session.
type command struct {
	env        Env
	io         IO
	tokensFile string
	client     *session.Client
	saveErr    error
}

func (c *command) signup(ctx context.Context, args []string) error {
	fs := c.flags("signup")
	username := fs.String("username", "", "the username")
	email := fs.String("email", "", "the email address")
	first := fs.String("first-name", "", "the first name")
	last := fs.String("last-name", "", "the last name")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	password, err := c.password()
	if err != nil {
		return err
	}
	pair, err := c.client.Signup(ctx, api.SignupRequest{Username: *username, Email: openapi_types.Email(*email),
		Password: password, FirstName: *first, LastName: *last})
	if err != nil {
		return err
	}
	return c.print(pair)
}

func (c *command) login(ctx context.Context, args []string) error {
	fs := c.flags("login")
	username := fs.String("username", "", "the username or email")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	password, err := c.password()
	if err != nil {
		return err
	}
	pair, err := c.client.Login(ctx, *username, password)
	if err != nil {
		return err
	}
	return c.print(pair)
}

func (c *command) me(ctx context.Context, args []string) error {
	if err := c.resume(args); err != nil {
		return err
	}
	res, err := c.client.API().GetMeWithResponse(ctx)
	if err != nil {
		return err
	}
	if res.JSON200 == nil {
		return session.NewStatusError("me", res.HTTPResponse, res.Body)
	}
	return c.print(res.JSON200)
}

func (c *command) logout(ctx context.Context, args []string) error {
	if err := c.resume(args); err != nil {
		return err
	}
	if err := c.client.Logout(ctx); err != nil {
		return err
	}
	return c.print(map[string]string{"message": "Logged out"})
}

// flags is a flag set for the named command that reports to stderr.
func (c *command) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.io.Stderr)
	return fs
}

// resume installs the token pair from the tokens file or stdin.
func (c *command) resume(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: unexpected %q", errUsage, args[0])
	}
	var data []byte
	var err error
	if c.tokensFile != "" {
		data, err = os.ReadFile(c.tokensFile)
	} else {
		data, err = io.ReadAll(io.LimitReader(c.io.Stdin, 64<<10))
	}
	if err != nil {
		return fmt.Errorf("read the token pair: %w", err)
	}
	var pair api.TokenPair
	if err := json.Unmarshal(data, &pair); err != nil || pair.AccessToken == "" {
		return errors.New("no token pair to resume (log in first, with -tokens FILE)")
	}
	c.client.SetTokens(pair)
	return nil
}

// saveTokens is session.Options.OnTokens: it keeps every new pair in the
// tokens file, if there is one (an ended session leaves it empty).
func (c *command) saveTokens(pair api.TokenPair) {
	if c.tokensFile == "" {
		return
	}
	data := []byte("{}\n")
	if pair.AccessToken != "" {
		data, _ = json.MarshalIndent(pair, "", "  ")
		data = append(data, '\n')
	}
	err := os.WriteFile(c.tokensFile, data, 0o600)
	if err == nil {
		err = os.Chmod(c.tokensFile, 0o600) // a file that existed keeps its mode otherwise
	}
	if err != nil && c.saveErr == nil {
		c.saveErr = err
	}
}

// password reads the password from GROUNDWORK_PASSWORD or the first line
// of stdin.
func (c *command) password() (string, error) {
	if p := c.env("GROUNDWORK_PASSWORD"); p != "" {
		return p, nil
	}
	line, err := bufio.NewReader(io.LimitReader(c.io.Stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return "", fmt.Errorf("%w: no password (set GROUNDWORK_PASSWORD or write it to standard input)", errUsage)
	}
	return line, nil
}

// print writes v to stdout as indented JSON.
func (c *command) print(v any) error {
	enc := json.NewEncoder(c.io.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
