package resend_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/groundwork-go/groundwork/mail/resend"
)

func ExampleNew() {
	// A local stand-in for api.resend.com.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"4ef9a417-02e9-4d39-ad75-9611e0fcc33c"}`)
	}))
	defer srv.Close()

	c := resend.New("re_123", resend.Options{BaseURL: srv.URL})
	res, err := c.Send(context.Background(), &resend.Email{
		From:    "Acme <hello@acme.test>",
		To:      []string{"ada@example.com"},
		Subject: "Hello",
		Text:    "Hello Ada",
	}, resend.SendOptions{IdempotencyKey: "hello/ada"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.ID)
	// Output: 4ef9a417-02e9-4d39-ad75-9611e0fcc33c
}
