package appstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/groundwork-go/groundwork/iap/appstore"
)

// In these examples appstore.NewExampleChain stands in for Apple: it makes a
// root certificate and signs data like the App Store. A real application
// loads Apple's root instead:
//
//	der, _ := os.ReadFile("AppleRootCA-G3.cer")
//	root, _ := x509.ParseCertificate(der)

func ExampleNewVerifier() {
	apple := appstore.NewExampleChain()

	v, err := appstore.NewVerifier([]*x509.Certificate{apple.Root()}, "com.example.app",
		appstore.Production, appstore.VerifierOptions{AppAppleID: 1234567890})
	if err != nil {
		log.Fatal(err)
	}

	// A signed transaction, as sent by the app after a purchase.
	tx, err := v.VerifyTransaction(context.Background(), apple.SignedTransaction("com.example.app"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.ProductID, tx.Type, tx.Price, tx.Currency)

	// The same proof of purchase for another app is rejected.
	_, err = v.VerifyTransaction(context.Background(), apple.SignedTransaction("com.other.app"))
	fmt.Println(errors.Is(err, appstore.ErrBundleIDMismatch))
	// Output:
	// com.example.app.pro.monthly Auto-Renewable Subscription 9990 USD
	// true
}

func ExampleNewNotificationHandler() {
	apple := appstore.NewExampleChain()
	v, err := appstore.NewVerifier([]*x509.Certificate{apple.Root()}, "com.example.app",
		appstore.Production, appstore.VerifierOptions{AppAppleID: 1234567890})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/appstore", appstore.NewNotificationHandler(v,
		func(ctx context.Context, n *appstore.Notification) error {
			// Deduplicate on n.NotificationUUID and update entitlements here.
			fmt.Println(n.NotificationType, n.Data.Transaction.ProductID, n.Data.RenewalInfo.AutoRenewStatus)
			return nil
		}, appstore.HandlerOptions{}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The App Store posts {"signedPayload": "..."}.
	body, _ := json.Marshal(map[string]string{"signedPayload": apple.SignedNotification()})
	resp, err := http.Post(srv.URL+"/webhooks/appstore", "application/json", strings.NewReader(string(body)))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)

	// A forged notification gets 400.
	resp, err = http.Post(srv.URL+"/webhooks/appstore", "application/json",
		strings.NewReader(`{"signedPayload":"eyJhbGciOiJub25lIn0.e30."}`))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// DID_RENEW com.example.app.pro.monthly 1
	// 200
	// 400
}

func ExampleNewClient() {
	apple := appstore.NewExampleChain()
	v, err := appstore.NewVerifier([]*x509.Certificate{apple.Root()}, "com.example.app",
		appstore.Production, appstore.VerifierOptions{AppAppleID: 1234567890})
	if err != nil {
		log.Fatal(err)
	}

	// A stand-in for api.storekit.apple.com.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"signedTransactionInfo": apple.SignedTransaction("com.example.app")})
	}))
	defer api.Close()

	client, err := appstore.NewClient(appstore.Credentials{
		PrivateKey: examplePrivateKey(), // the contents of SubscriptionKey_<KeyID>.p8
		KeyID:      "2X9R4HXF34",
		IssuerID:   "57246542-96fe-1a63-e053-0824d011072a",
		BundleID:   "com.example.app",
	}, appstore.Production, appstore.ClientOptions{BaseURL: api.URL, Verifier: v})
	if err != nil {
		log.Fatal(err)
	}
	info, err := client.GetTransactionInfo(context.Background(), "1000000000000002")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Transaction.TransactionID, info.Transaction.ProductID)
	// Output:
	// 1000000000000002 com.example.app.pro.monthly
}

// examplePrivateKey returns a freshly generated key in .p8 (PKCS #8 PEM) form.
func examplePrivateKey() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		log.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
