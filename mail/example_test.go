package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing/fstest"

	"github.com/groundwork-go/groundwork/mail"
	"github.com/groundwork-go/groundwork/mail/brevo"
	"github.com/groundwork-go/groundwork/mail/resend"
)

// fakeProviderAPI stands in for api.resend.com / api.brevo.com.
func fakeProviderAPI(status int, body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
}

func ExampleNewSender() {
	rec := mail.NewRecorder() // or a ResendProvider / BrevoProvider
	sender := mail.NewSender(rec, mail.SenderOptions{
		DefaultFrom: mail.Address{Name: "Acme", Email: "hello@acme.test"},
	})
	_, err := sender.Send(context.Background(), &mail.Message{
		To:      mail.AddressList{{Email: "ada@example.com"}},
		Subject: "Hello",
		Text:    "Hello Ada",
	})
	fmt.Println(err, rec.Messages()[0].From)

	_, err = sender.Send(context.Background(), &mail.Message{To: mail.AddressList{{Email: "nobody"}}})
	fmt.Println(errors.Is(err, mail.ErrInvalidMessage), err)
	// Output:
	// <nil> "Acme" <hello@acme.test>
	// true mail: invalid message: to[0].email is not a valid email address; html is required: set template, html or text; subject is required without a template
}

func ExampleNewQueue() {
	tpl, err := mail.NewTemplates(fstest.MapFS{
		"welcome.subject.tmpl": {Data: []byte(`Welcome to Acme, {{required "FirstName" .FirstName}}!`)},
		"welcome.text.tmpl":    {Data: []byte(`Your account {{.Username}} is ready.`)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := mail.NewRecorder()
	sender := mail.NewSender(rec, mail.SenderOptions{DefaultFrom: mail.Address{Email: "no-reply@acme.test"}, Templates: tpl})
	queue := mail.NewQueue(sender, mail.QueueOptions{Capacity: 100, Workers: 2})

	// Enqueue returns at once; delivery happens in the background.
	err = queue.Enqueue(&mail.Message{
		To:       mail.AddressList{{Name: "John", Email: "john@example.com"}},
		Template: "welcome",
		Data:     map[string]string{"FirstName": "John", "Username": "johndoe"},
	})
	fmt.Println(err)

	// At shutdown: deliver (or log) everything still queued.
	fmt.Println(queue.Close(context.Background()))
	fmt.Println(rec.Messages()[0].Subject)
	// Output:
	// <nil>
	// <nil>
	// Welcome to Acme, John!
}

func ExampleNewTemplates() {
	tpl, err := mail.NewTemplates(fstest.MapFS{
		"layouts/base.html.tmpl": {Data: []byte(`{{define "layout"}}<div>{{template "content" .}}</div>{{end}}`)},
		"reset.subject.tmpl":     {Data: []byte(`Reset your password, {{.Name}}`)},
		"reset.html.tmpl":        {Data: []byte(`{{template "layout" .}}{{define "content"}}<a href="{{.Link}}">Reset</a> for {{.Name}}{{end}}`)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := tpl.Render("reset", map[string]string{"Name": "<Ada>", "Link": "https://acme.test/r?t=1&u=2"})
	fmt.Println(r.Subject)
	fmt.Println(r.HTML)
	_, err = tpl.Render("reset", map[string]string{"Name": "Ada"})
	fmt.Println(errors.Is(err, mail.ErrTemplate))
	// Output:
	// Reset your password, <Ada>
	// <div><a href="https://acme.test/r?t=1&amp;u=2">Reset</a> for &lt;Ada&gt;</div>
	// true
}

func ExampleNewRecorder() {
	rec := mail.NewRecorder()
	sender := mail.NewSender(rec, mail.SenderOptions{})
	sender.Send(context.Background(), &mail.Message{
		From: mail.Address{Email: "a@acme.test"}, To: mail.AddressList{{Email: "b@example.com"}},
		Subject: "Hi", HTML: "<p>Hi</p>",
	})
	fmt.Println(len(rec.Messages()), rec.Messages()[0].Subject)
	// Output: 1 Hi
}

func ExampleNewResendProvider() {
	api := fakeProviderAPI(http.StatusOK, `{"id":"4ef9a417-02e9-4d39-ad75-9611e0fcc33c"}`)
	defer api.Close()
	p := mail.NewResendProvider(resend.New("re_123", resend.Options{BaseURL: api.URL}))
	res, err := mail.NewSender(p, mail.SenderOptions{}).Send(context.Background(), &mail.Message{
		From: mail.Address{Email: "a@acme.test"}, To: mail.AddressList{{Email: "b@example.com"}},
		Subject: "Hi", Text: "Hi",
	})
	fmt.Println(res.ID, err)
	// Output: 4ef9a417-02e9-4d39-ad75-9611e0fcc33c <nil>
}

func ExampleNewBrevoProvider() {
	api := fakeProviderAPI(http.StatusBadRequest, `{"code":"invalid_parameter","message":"sender is invalid / inactive"}`)
	defer api.Close()
	p := mail.NewBrevoProvider(brevo.New("xkeysib-123", brevo.Options{BaseURL: api.URL}))
	_, err := mail.NewSender(p, mail.SenderOptions{}).Send(context.Background(), &mail.Message{
		From: mail.Address{Email: "a@acme.test"}, To: mail.AddressList{{Email: "b@example.com"}},
		Subject: "Hi", Text: "Hi",
	})
	fmt.Println(errors.Is(err, mail.ErrRejected)) // a 400 is not retried
	fmt.Println(err)
	// Output:
	// true
	// mail: send (attempt 1): mail: brevo: HTTP 400 invalid_parameter: sender is invalid / inactive
}

func ExampleNewProviderFromConfig() {
	p, err := mail.NewProviderFromConfig(mail.Config{Provider: "brevo", APIKey: "xkeysib-123"})
	fmt.Printf("%T %v\n", p, err)

	_, err = mail.NewProviderFromConfig(mail.Config{Provider: "postmark", APIKey: "k"})
	fmt.Println(errors.Is(err, mail.ErrConfig), err)
	// Output:
	// *mail.BrevoProvider <nil>
	// true mail: invalid configuration: unknown Provider "postmark" (want "resend" or "brevo")
}

func ExampleNewSenderFromConfig() {
	api := fakeProviderAPI(http.StatusOK, `{"id":"re-1"}`)
	defer api.Close()
	cfg := mail.Config{Provider: "resend", APIKey: "re_123", From: "Acme <no-reply@acme.test>", BaseURL: api.URL}
	sender, err := mail.NewSenderFromConfig(cfg, mail.SenderOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := sender.Send(context.Background(), &mail.Message{
		To:      mail.AddressList{{Email: "john@example.com"}},
		Subject: "Welcome to Acme",
		Text:    "Your account johndoe is ready.",
	})
	fmt.Println(res.ID, err)

	// Config is safe to log: the API key is redacted.
	fmt.Println(mail.Config{Provider: "resend", APIKey: "re_123", From: "no-reply@acme.test"})
	// Output:
	// re-1 <nil>
	// mail.Config{Provider:"resend" APIKey:[redacted] From:"no-reply@acme.test" BaseURL:""}
}

func ExampleParseAddress() {
	a, err := mail.ParseAddress("Ada Lovelace <ada@example.com>")
	fmt.Println(a.Name, a.Email, err)
	// Output: Ada Lovelace ada@example.com <nil>
}

func ExampleAddresses() {
	l, err := mail.Addresses("a@example.com", "Bob <b@example.com>")
	fmt.Println(l.Strings(), err)
	// Output: [a@example.com "Bob" <b@example.com>] <nil>
}
