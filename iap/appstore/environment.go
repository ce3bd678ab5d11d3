package appstore

// Environment is the App Store environment that signed data comes from or an
// API client talks to.
type Environment string

// The environments Apple uses in signed payloads.
const (
	// Production is the live App Store.
	Production Environment = "Production"
	// Sandbox is Apple's test environment for TestFlight and sandbox accounts.
	Sandbox Environment = "Sandbox"
	// Xcode is StoreKit testing in Xcode; its data is signed by a local
	// certificate, so a Verifier configured for Xcode does not check signatures.
	Xcode Environment = "Xcode"
	// LocalTesting is Apple's local testing environment; like Xcode, a Verifier
	// configured for it does not check signatures.
	LocalTesting Environment = "LocalTesting"
)

// Base URLs of the App Store Server API.
const (
	// ProductionBaseURL is the App Store Server API in production.
	ProductionBaseURL = "https://api.storekit.apple.com"
	// SandboxBaseURL is the App Store Server API in the sandbox.
	SandboxBaseURL = "https://api.storekit-sandbox.apple.com"
)

// skipsVerification reports whether Apple's libraries accept data from e
// without checking its signature (data signed by Xcode's local certificate).
func (e Environment) skipsVerification() bool {
	return e == Xcode || e == LocalTesting
}
