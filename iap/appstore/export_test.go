package appstore

import (
	"crypto/x509"
	"fmt"
	"time"
)

// panicker is a fataler for examples, which have no *testing.T.
type panicker struct{}

func (panicker) Helper()           {}
func (panicker) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

// ExampleChain stands in for Apple in examples: it holds a generated root,
// intermediate and leaf and signs payloads the way the App Store does.
type ExampleChain struct{ p *testPKI }

// NewExampleChain generates a chain with Apple's OIDs.
func NewExampleChain() *ExampleChain {
	return &ExampleChain{p: newTestPKI(panicker{}, pkiSpec{})}
}

// Root is the certificate an application would load from AppleRootCA-G3.cer.
func (c *ExampleChain) Root() *x509.Certificate { return c.p.root }

// SignedTransaction is a Production transaction as a device or the API
// would deliver it.
func (c *ExampleChain) SignedTransaction(bundleID string) string {
	tx := testTransaction(Production, time.Now())
	tx.BundleID = bundleID
	return c.p.sign(panicker{}, tx)
}

// SignedNotification is a DID_RENEW notification's signedPayload.
func (c *ExampleChain) SignedNotification() string {
	return c.p.sign(panicker{}, testNotification(panicker{}, c.p, Production))
}
