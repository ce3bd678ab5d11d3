package appstore

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// TransactionInfoResponse is the answer of GetTransactionInfo.
type TransactionInfoResponse struct {
	// SignedTransactionInfo is the signed transaction.
	SignedTransactionInfo string `json:"signedTransactionInfo"`
	// Transaction is SignedTransactionInfo verified, when the client has a
	// Verifier; nil otherwise.
	Transaction *Transaction `json:"-"`
}

func (r *TransactionInfoResponse) verify(ctx context.Context, v *Verifier) (err error) {
	r.Transaction, err = verifyOptionalTransaction(ctx, v, r.SignedTransactionInfo)
	return err
}

// GetTransactionInfo returns one transaction
// (GET /inApps/v1/transactions/{transactionId}).
func (c *Client) GetTransactionInfo(ctx context.Context, transactionID string) (*TransactionInfoResponse, error) {
	return doJSON[TransactionInfoResponse](ctx, c, call{op: "GetTransactionInfo", method: http.MethodGet,
		path: "/inApps/v1/transactions/" + url.PathEscape(transactionID), idempotent: true})
}

// AppTransactionInfoResponse is the answer of GetAppTransactionInfo.
type AppTransactionInfoResponse struct {
	// SignedAppTransactionInfo is the customer's signed app transaction.
	SignedAppTransactionInfo string `json:"signedAppTransactionInfo"`
	// AppTransaction is SignedAppTransactionInfo verified, when the client
	// has a Verifier; nil otherwise.
	AppTransaction *AppTransaction `json:"-"`
}

func (r *AppTransactionInfoResponse) verify(ctx context.Context, v *Verifier) (err error) {
	if r.SignedAppTransactionInfo == "" {
		return nil
	}
	r.AppTransaction, err = v.VerifyAppTransaction(ctx, r.SignedAppTransactionInfo)
	return err
}

// GetAppTransactionInfo returns the app transaction (the record of the app
// download) of the customer who owns transactionID, which may be any of
// their transaction ids, original transaction ids or app transaction ids
// (GET /inApps/v1/transactions/appTransactions/{transactionId}).
func (c *Client) GetAppTransactionInfo(ctx context.Context, transactionID string) (*AppTransactionInfoResponse, error) {
	return doJSON[AppTransactionInfoResponse](ctx, c, call{op: "GetAppTransactionInfo", method: http.MethodGet,
		path: "/inApps/v1/transactions/appTransactions/" + url.PathEscape(transactionID), idempotent: true})
}

// updateAppAccountTokenRequest is the body of SetAppAccountToken.
type updateAppAccountTokenRequest struct {
	AppAccountToken string `json:"appAccountToken"`
}

// SetAppAccountToken sets or replaces the app account token (a UUID of your
// choosing that names the customer's account in your system) of the purchase
// originalTransactionID, for example one made outside the app with an offer
// code (PUT /inApps/v1/transactions/{originalTransactionId}/appAccountToken).
// Apple rejects a token that is not a UUID with a 400 (*APIError with code
// ErrorCodeInvalidAppAccountToken). Setting the same token twice has the
// effect of once, so the call is retried.
func (c *Client) SetAppAccountToken(ctx context.Context, originalTransactionID, appAccountToken string) error {
	return c.do(ctx, call{op: "SetAppAccountToken", method: http.MethodPut,
		path: "/inApps/v1/transactions/" + url.PathEscape(originalTransactionID) + "/appAccountToken",
		body: updateAppAccountTokenRequest{AppAccountToken: appAccountToken}, idempotent: true}, nil)
}

// Product types accepted by TransactionHistoryRequest.ProductTypes.
const (
	// ProductTypeAutoRenewable selects auto-renewable subscriptions.
	ProductTypeAutoRenewable = "AUTO_RENEWABLE"
	// ProductTypeNonRenewable selects non-renewing subscriptions.
	ProductTypeNonRenewable = "NON_RENEWABLE"
	// ProductTypeConsumable selects consumable products.
	ProductTypeConsumable = "CONSUMABLE"
	// ProductTypeNonConsumable selects non-consumable products.
	ProductTypeNonConsumable = "NON_CONSUMABLE"
)

// TransactionHistoryRequest filters GetTransactionHistory. The zero value
// asks for the first page of all transactions in Apple's default order.
type TransactionHistoryRequest struct {
	// Revision is the token of the next page, from HistoryResponse.Revision;
	// empty for the first page.
	Revision string
	// StartDate and EndDate bound the purchase dates; zero means unbounded.
	StartDate, EndDate Timestamp
	// ProductIDs keeps only these products.
	ProductIDs []string
	// ProductTypes keeps only these ProductType values.
	ProductTypes []string
	// Sort is "ASCENDING" or "DESCENDING" by modification date; empty for
	// Apple's default (ascending).
	Sort string
	// SubscriptionGroupIdentifiers keeps only these subscription groups.
	SubscriptionGroupIdentifiers []string
	// InAppOwnershipType is "PURCHASED" or "FAMILY_SHARED"; empty for both.
	InAppOwnershipType string
	// Revoked, when set, keeps only revoked (true) or unrevoked (false)
	// transactions.
	Revoked *bool
}

func (r TransactionHistoryRequest) query() url.Values {
	q := url.Values{}
	setNonEmpty(q, "revision", r.Revision)
	if r.StartDate != 0 {
		q.Set("startDate", strconv.FormatInt(int64(r.StartDate), 10))
	}
	if r.EndDate != 0 {
		q.Set("endDate", strconv.FormatInt(int64(r.EndDate), 10))
	}
	q["productId"] = r.ProductIDs
	q["productType"] = r.ProductTypes
	q["subscriptionGroupIdentifier"] = r.SubscriptionGroupIdentifiers
	setNonEmpty(q, "sort", r.Sort)
	setNonEmpty(q, "inAppOwnershipType", r.InAppOwnershipType)
	if r.Revoked != nil {
		q.Set("revoked", strconv.FormatBool(*r.Revoked))
	}
	for k, vs := range q {
		if len(vs) == 0 {
			delete(q, k)
		}
	}
	return q
}

func setNonEmpty(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// HistoryResponse is one page of GetTransactionHistory.
type HistoryResponse struct {
	// Revision is the token of the next page.
	Revision string `json:"revision"`
	// HasMore reports whether another page follows.
	HasMore bool `json:"hasMore"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId"`
	// AppAppleID is the app's Apple id.
	AppAppleID int64 `json:"appAppleId,omitempty"`
	// Environment is the server environment.
	Environment Environment `json:"environment"`
	// SignedTransactions are the page's signed transactions.
	SignedTransactions []string `json:"signedTransactions"`
	// Transactions are SignedTransactions verified, when the client has a
	// Verifier; nil otherwise.
	Transactions []*Transaction `json:"-"`
}

func (r *HistoryResponse) verify(ctx context.Context, v *Verifier) (err error) {
	r.Transactions, err = verifyTransactions(ctx, v, r.SignedTransactions)
	return err
}

// GetTransactionHistory returns one page of a customer's transactions
// (GET /inApps/v2/history/{transactionId}). For the next page, set
// req.Revision to the response's Revision while HasMore is true, or use
// TransactionHistory.
func (c *Client) GetTransactionHistory(ctx context.Context, transactionID string, req TransactionHistoryRequest) (*HistoryResponse, error) {
	return doJSON[HistoryResponse](ctx, c, call{op: "GetTransactionHistory", method: http.MethodGet,
		path: "/inApps/v2/history/" + url.PathEscape(transactionID), query: req.query(), idempotent: true})
}

// TransactionHistory iterates over all pages of GetTransactionHistory
// starting at req.Revision. Iteration stops after the first error.
func (c *Client) TransactionHistory(ctx context.Context, transactionID string, req TransactionHistoryRequest) iter.Seq2[*HistoryResponse, error] {
	return paginate(func() (*HistoryResponse, bool, error) {
		page, err := c.GetTransactionHistory(ctx, transactionID, req)
		if err != nil {
			return nil, false, err
		}
		req.Revision = page.Revision
		return page, page.HasMore, nil
	})
}

// paginate yields pages from next until it reports no more or fails.
func paginate[P any](next func() (P, bool, error)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		for {
			page, more, err := next()
			if !yield(page, err) || err != nil || !more {
				return
			}
		}
	}
}

// OrderLookupResponse is the answer of LookUpOrderID.
type OrderLookupResponse struct {
	// Status is 0 when the order id is valid and 1 when it is not.
	Status int `json:"status"`
	// SignedTransactions are the order's signed transactions.
	SignedTransactions []string `json:"signedTransactions"`
	// Transactions are SignedTransactions verified, when the client has a
	// Verifier; nil otherwise.
	Transactions []*Transaction `json:"-"`
}

func (r *OrderLookupResponse) verify(ctx context.Context, v *Verifier) (err error) {
	r.Transactions, err = verifyTransactions(ctx, v, r.SignedTransactions)
	return err
}

// LookUpOrderID returns the transactions of an order id from a customer's
// receipt email (GET /inApps/v1/lookup/{orderId}).
func (c *Client) LookUpOrderID(ctx context.Context, orderID string) (*OrderLookupResponse, error) {
	return doJSON[OrderLookupResponse](ctx, c, call{op: "LookUpOrderID", method: http.MethodGet,
		path: "/inApps/v1/lookup/" + url.PathEscape(orderID), idempotent: true})
}

// RefundHistoryResponse is one page of GetRefundHistory.
type RefundHistoryResponse struct {
	// SignedTransactions are the refunded transactions.
	SignedTransactions []string `json:"signedTransactions"`
	// Revision is the token of the next page.
	Revision string `json:"revision"`
	// HasMore reports whether another page follows.
	HasMore bool `json:"hasMore"`
	// Transactions are SignedTransactions verified, when the client has a
	// Verifier; nil otherwise.
	Transactions []*Transaction `json:"-"`
}

func (r *RefundHistoryResponse) verify(ctx context.Context, v *Verifier) (err error) {
	r.Transactions, err = verifyTransactions(ctx, v, r.SignedTransactions)
	return err
}

// GetRefundHistory returns one page of a customer's refunded transactions
// (GET /inApps/v2/refund/lookup/{transactionId}); revision is empty for the
// first page and the previous response's Revision after that.
func (c *Client) GetRefundHistory(ctx context.Context, transactionID, revision string) (*RefundHistoryResponse, error) {
	q := url.Values{}
	setNonEmpty(q, "revision", revision)
	return doJSON[RefundHistoryResponse](ctx, c, call{op: "GetRefundHistory", method: http.MethodGet,
		path: "/inApps/v2/refund/lookup/" + url.PathEscape(transactionID), query: q, idempotent: true})
}
