package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"time"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/iap/appstore"
)

// mockStore signs App Store data the way Apple does, with a root →
// intermediate → leaf chain generated at start: the leaf and intermediate
// carry Apple's certificate OIDs, so a Verifier that trusts the mock root
// accepts what it signs exactly as a production Verifier accepts Apple's.
// It is the example's default; Apple's certificates are never bundled.
type mockStore struct {
	root    *x509.Certificate
	x5c     []string
	leafKey *ecdsa.PrivateKey
}

// newMockStore generates the chain.
func newMockStore() (*mockStore, error) {
	now := time.Now()
	rootKey, interKey, leafKey, err := threeKeys()
	if err != nil {
		return nil, err
	}
	m := &mockStore{leafKey: leafKey}
	m.root, err = issueCert(&x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Groundwork Mock Root CA - G3"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
	}, nil, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	inter, err := issueCert(&x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Groundwork Mock WWDR CA G6"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: appstore.OIDIntermediate, Value: []byte{5, 0}}},
	}, m.root, &interKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	leaf, err := issueCert(&x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "Groundwork Mock Receipt Signing"},
		KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: appstore.OIDLeaf, Value: []byte{5, 0}}},
	}, inter, &leafKey.PublicKey, interKey)
	if err != nil {
		return nil, err
	}
	for _, c := range []*x509.Certificate{leaf, inter, m.root} {
		m.x5c = append(m.x5c, base64.StdEncoding.EncodeToString(c.Raw))
	}
	return m, nil
}

func threeKeys() (a, b, c *ecdsa.PrivateKey, err error) {
	keys := make([]*ecdsa.PrivateKey, 3)
	for i := range keys {
		if keys[i], err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, nil, nil, err
		}
	}
	return keys[0], keys[1], keys[2], nil
}

func issueCert(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey) (*x509.Certificate, error) {
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// sign returns payload as a compact ES256 JWS with the chain in x5c.
func (m *mockStore) sign(payload any) (string, error) {
	header, err := json.Marshal(map[string]any{"alg": "ES256", "x5c": m.x5c})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, m.leafKey, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig), nil
}

// devTransactionInput is the body of POST /dev/appstore/transactions.
type devTransactionInput struct {
	ProductID             string `json:"product_id" validate:"required,max=200"`
	OriginalTransactionID string `json:"original_transaction_id" validate:"omitempty,max=64"`
	// ExpiresInSeconds makes an auto-renewable subscription expiring that
	// long after now; 0 makes a non-consumable purchase.
	ExpiresInSeconds int64 `json:"expires_in_seconds" validate:"min=0"`
}

// devNotificationInput is the body of POST /dev/appstore/notifications.
type devNotificationInput struct {
	NotificationType string `json:"notification_type" validate:"required,max=64"`
	Subtype          string `json:"subtype" validate:"max=64"`
	NotificationUUID string `json:"notification_uuid" validate:"omitempty,max=64"`
	devTransactionInput
}

// devRoutes mints signed data for trying the example without a device:
// what StoreKit hands the app after a purchase, and what the App Store
// posts to the webhook.
type devRoutes struct {
	mock     *mockStore
	bundleID string
}

func (d *devRoutes) transaction(in devTransactionInput) (string, error) {
	now := time.Now()
	id := newID()
	orig := in.OriginalTransactionID
	if orig == "" {
		orig = id
	}
	tx := appstore.Transaction{
		TransactionID: id, OriginalTransactionID: orig, BundleID: d.bundleID, ProductID: in.ProductID,
		PurchaseDate: appstore.TimestampOf(now), OriginalPurchaseDate: appstore.TimestampOf(now), Quantity: 1,
		Type: "Non-Consumable", InAppOwnershipType: "PURCHASED", SignedDate: appstore.TimestampOf(now),
		Environment: appstore.Sandbox, TransactionReason: "PURCHASE",
	}
	if in.ExpiresInSeconds > 0 {
		tx.Type = "Auto-Renewable Subscription"
		tx.ExpiresDate = appstore.TimestampOf(now.Add(time.Duration(in.ExpiresInSeconds) * time.Second))
	}
	return d.mock.sign(tx)
}

func (d *devRoutes) notification(in devNotificationInput) (string, error) {
	signedTx, err := d.transaction(in.devTransactionInput)
	if err != nil {
		return "", err
	}
	uuid := in.NotificationUUID
	if uuid == "" {
		uuid = newID()
	}
	return d.mock.sign(appstore.Notification{
		NotificationType: in.NotificationType, Subtype: in.Subtype, NotificationUUID: uuid, Version: "2.0",
		SignedDate: appstore.TimestampOf(time.Now()),
		Data:       &appstore.NotificationData{Environment: appstore.Sandbox, BundleID: d.bundleID, SignedTransactionInfo: signedTx},
	})
}

// serveTransaction answers {"signed_transaction": "…"}.
func (d *devRoutes) serveTransaction(w http.ResponseWriter, r *http.Request) {
	var in devTransactionInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	signed, err := d.transaction(in)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"signed_transaction": signed})
}

// serveNotification answers {"signedPayload": "…"}, the body the App Store
// posts to the webhook.
func (d *devRoutes) serveNotification(w http.ResponseWriter, r *http.Request) {
	var in devNotificationInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	signed, err := d.notification(in)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"signedPayload": signed})
}

// newID returns a random decimal identifier shaped like Apple's
// transaction ids.
func newID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e15))
	return n.Add(n, big.NewInt(2e15)).String()
}
