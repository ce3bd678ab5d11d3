package mail

// WelcomeTemplate is the name of the embedded welcome email, sent after
// signup. Its data is a WelcomeData.
const WelcomeTemplate = "welcome"

// WelcomeData is the data of WelcomeTemplate. All fields are required:
// rendering fails on an empty one rather than sending "Welcome, !".
type WelcomeData struct {
	// AppName is the product's name, e.g. "Groundwork".
	AppName string
	// Username is the account's username, e.g. "johndoe".
	Username string
	// FirstName is the greeting name, e.g. "John".
	FirstName string
}

// NewWelcomeMessage returns the welcome email for a new user. From comes from
// the Sender's DefaultFrom unless set on the result. The idempotency key
// "welcome/<username>" makes the email go out once per account even if it is
// queued twice within the provider's deduplication window.
func NewWelcomeMessage(to Address, data WelcomeData) *Message {
	return &Message{
		To:             AddressList{to},
		Template:       WelcomeTemplate,
		Data:           data,
		IdempotencyKey: "welcome/" + data.Username,
	}
}
