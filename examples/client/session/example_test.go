package session_test

import (
	"context"
	"fmt"
	"log"

	"github.com/groundwork-go/groundwork/examples/client/session"
)

// A program logs in once and calls the API through the session: a request
// answered 401 because the access token expired is refreshed and repeated.
func Example() {
	ctx := context.Background()
	c, err := session.New("http://localhost:8799", session.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "johndoe", "secretpassword"); err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	me, err := c.API().GetMeWithResponse(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if me.JSON200 == nil {
		log.Fatal(session.NewStatusError("me", me.HTTPResponse, me.Body))
	}
	fmt.Println(me.JSON200.Username)
}
