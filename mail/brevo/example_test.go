package brevo_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/groundwork-go/groundwork/mail/brevo"
)

func ExampleNew() {
	// A local stand-in for api.brevo.com.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"messageId":"<202611251200.1@smtp-relay.mailin.fr>"}`)
	}))
	defer srv.Close()

	c := brevo.New("xkeysib-123", brevo.Options{BaseURL: srv.URL})
	res, err := c.Send(context.Background(), &brevo.Email{
		Sender:      &brevo.Contact{Name: "Acme", Email: "hello@acme.test"},
		To:          []brevo.Contact{{Email: "ada@example.com"}},
		Subject:     "Hello",
		TextContent: "Hello Ada",
	}, brevo.SendOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.MessageID)
	// Output: <202611251200.1@smtp-relay.mailin.fr>
}
