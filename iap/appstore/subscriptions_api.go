package appstore

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// StatusResponse is the answer of GetAllSubscriptionStatuses.
type StatusResponse struct {
	// Environment is the server environment.
	Environment Environment `json:"environment"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId"`
	// AppAppleID is the app's Apple id.
	AppAppleID int64 `json:"appAppleId,omitempty"`
	// Data holds one entry per subscription group.
	Data []SubscriptionGroupStatus `json:"data"`
}

// SubscriptionGroupStatus is the status of the subscriptions of one group.
type SubscriptionGroupStatus struct {
	// SubscriptionGroupIdentifier identifies the group.
	SubscriptionGroupIdentifier string `json:"subscriptionGroupIdentifier"`
	// LastTransactions holds the latest transaction of each subscription.
	LastTransactions []LastTransaction `json:"lastTransactions"`
}

// LastTransaction is the latest state of one subscription.
type LastTransaction struct {
	// Status is 1 active, 2 expired, 3 billing retry, 4 grace period,
	// 5 revoked.
	Status int `json:"status"`
	// OriginalTransactionID identifies the subscription.
	OriginalTransactionID string `json:"originalTransactionId"`
	// SignedTransactionInfo is the latest signed transaction.
	SignedTransactionInfo string `json:"signedTransactionInfo"`
	// SignedRenewalInfo is the signed renewal information.
	SignedRenewalInfo string `json:"signedRenewalInfo"`
	// Transaction is SignedTransactionInfo verified, when the client has a
	// Verifier; nil otherwise.
	Transaction *Transaction `json:"-"`
	// RenewalInfo is SignedRenewalInfo verified, when the client has a
	// Verifier; nil otherwise.
	RenewalInfo *RenewalInfo `json:"-"`
}

func (r *StatusResponse) verify(ctx context.Context, v *Verifier) error {
	for i := range r.Data {
		for j := range r.Data[i].LastTransactions {
			lt := &r.Data[i].LastTransactions[j]
			var err error
			if lt.Transaction, err = verifyOptionalTransaction(ctx, v, lt.SignedTransactionInfo); err != nil {
				return fmt.Errorf("data[%d].lastTransactions[%d]: %w", i, j, err)
			}
			if lt.SignedRenewalInfo == "" {
				continue
			}
			if lt.RenewalInfo, err = v.VerifyRenewalInfo(ctx, lt.SignedRenewalInfo); err != nil {
				return fmt.Errorf("data[%d].lastTransactions[%d]: %w", i, j, err)
			}
		}
	}
	return nil
}

// GetAllSubscriptionStatuses returns the status of every subscription of the
// customer who made transactionID
// (GET /inApps/v1/subscriptions/{transactionId}); statuses, if given, keep
// only subscriptions in those states.
func (c *Client) GetAllSubscriptionStatuses(ctx context.Context, transactionID string, statuses ...int) (*StatusResponse, error) {
	q := url.Values{}
	for _, s := range statuses {
		q.Add("status", strconv.Itoa(s))
	}
	return doJSON[StatusResponse](ctx, c, call{op: "GetAllSubscriptionStatuses", method: http.MethodGet,
		path: "/inApps/v1/subscriptions/" + url.PathEscape(transactionID), query: q, idempotent: true})
}

// ExtendRenewalDateRequest is the body of ExtendSubscriptionRenewalDate.
type ExtendRenewalDateRequest struct {
	// ExtendByDays is the number of days to extend, 1 to 90.
	ExtendByDays int `json:"extendByDays"`
	// ExtendReasonCode is 0 undeclared, 1 customer satisfaction, 2 other,
	// 3 service issue or outage.
	ExtendReasonCode int `json:"extendReasonCode"`
	// RequestIdentifier is a UUID you choose; resending the same identifier
	// makes the request idempotent.
	RequestIdentifier string `json:"requestIdentifier"`
}

// ExtendRenewalDateResponse is the answer of ExtendSubscriptionRenewalDate.
type ExtendRenewalDateResponse struct {
	// OriginalTransactionID identifies the subscription.
	OriginalTransactionID string `json:"originalTransactionId"`
	// WebOrderLineItemID identifies the extended subscription period.
	WebOrderLineItemID string `json:"webOrderLineItemId"`
	// Success reports whether the extension succeeded.
	Success bool `json:"success"`
	// EffectiveDate is the new renewal date.
	EffectiveDate Timestamp `json:"effectiveDate"`
}

// ExtendSubscriptionRenewalDate extends the renewal date of one subscription
// (PUT /inApps/v1/subscriptions/extend/{originalTransactionId}). Apple treats
// requests with the same RequestIdentifier as one, so the call is retried.
func (c *Client) ExtendSubscriptionRenewalDate(ctx context.Context, originalTransactionID string, req ExtendRenewalDateRequest) (*ExtendRenewalDateResponse, error) {
	return doJSON[ExtendRenewalDateResponse](ctx, c, call{op: "ExtendSubscriptionRenewalDate", method: http.MethodPut,
		path: "/inApps/v1/subscriptions/extend/" + url.PathEscape(originalTransactionID), body: req, idempotent: true})
}

// Values of ConsumptionRequest.DeliveryStatus.
const (
	// DeliveryDelivered means the purchase was delivered and works.
	DeliveryDelivered = "DELIVERED"
	// DeliveryUndeliveredQualityIssue means it was not delivered because of
	// a quality issue.
	DeliveryUndeliveredQualityIssue = "UNDELIVERED_QUALITY_ISSUE"
	// DeliveryUndeliveredWrongItem means the wrong item was delivered.
	DeliveryUndeliveredWrongItem = "UNDELIVERED_WRONG_ITEM"
	// DeliveryUndeliveredServerOutage means it was not delivered because of
	// a server outage.
	DeliveryUndeliveredServerOutage = "UNDELIVERED_SERVER_OUTAGE"
	// DeliveryUndeliveredOther means it was not delivered for another reason.
	DeliveryUndeliveredOther = "UNDELIVERED_OTHER"
)

// Values of ConsumptionRequest.RefundPreference.
const (
	// RefundDecline prefers that Apple decline the refund.
	RefundDecline = "DECLINE"
	// RefundGrantFull prefers a full refund.
	RefundGrantFull = "GRANT_FULL"
	// RefundGrantProrated prefers a partial refund.
	RefundGrantProrated = "GRANT_PRORATED"
)

// ConsumptionRequest is the body of SendConsumptionInformation, answering a
// CONSUMPTION_REQUEST notification.
type ConsumptionRequest struct {
	// CustomerConsented must be true: the customer agreed to share the data.
	// Apple rejects any other value.
	CustomerConsented bool `json:"customerConsented"`
	// SampleContentProvided reports whether a free sample or trial was given.
	SampleContentProvided bool `json:"sampleContentProvided"`
	// DeliveryStatus is one of the Delivery constants. Required.
	DeliveryStatus string `json:"deliveryStatus"`
	// ConsumptionPercentage is how much of the purchase the customer consumed,
	// in milliunits (0 to 100000); nil to leave it out, as Apple asks for
	// auto-renewable subscriptions. It must be 0 unless DeliveryStatus is
	// DeliveryDelivered.
	ConsumptionPercentage *int `json:"consumptionPercentage,omitempty"`
	// RefundPreference is one of the Refund constants; empty for none.
	RefundPreference string `json:"refundPreference,omitempty"`
}

// SendConsumptionInformation sends consumption data for a refund request
// (PUT /inApps/v2/transactions/consumption/{transactionId}), for any product
// type. Apple answers 202 with no body. A PUT of the same data is idempotent,
// so it is retried.
func (c *Client) SendConsumptionInformation(ctx context.Context, transactionID string, req ConsumptionRequest) error {
	return c.do(ctx, call{op: "SendConsumptionInformation", method: http.MethodPut,
		path: "/inApps/v2/transactions/consumption/" + url.PathEscape(transactionID), body: req, idempotent: true}, nil)
}

// ConsumptionRequestV1 is the body of SendConsumptionInformationV1. Integer
// fields use Apple's codes; zero means "undeclared" for each.
type ConsumptionRequestV1 struct {
	// CustomerConsented must be true: the customer agreed to share the data.
	CustomerConsented bool `json:"customerConsented"`
	// ConsumptionStatus is 0 undeclared, 1 not consumed, 2 partially, 3 fully.
	ConsumptionStatus int `json:"consumptionStatus"`
	// Platform is 0 undeclared, 1 Apple, 2 non-Apple.
	Platform int `json:"platform"`
	// SampleContentProvided reports whether a free sample or trial was given.
	SampleContentProvided bool `json:"sampleContentProvided"`
	// DeliveryStatus is 0 delivered and working, 1-5 the documented problems.
	DeliveryStatus int `json:"deliveryStatus"`
	// AppAccountToken is the UUID of the customer's account; empty if none.
	AppAccountToken string `json:"appAccountToken"`
	// AccountTenure is the account age bucket (0 undeclared to 7).
	AccountTenure int `json:"accountTenure"`
	// PlayTime is the time-used bucket (0 undeclared to 7).
	PlayTime int `json:"playTime"`
	// LifetimeDollarsRefunded is the refunded-amount bucket (0 to 7).
	LifetimeDollarsRefunded int `json:"lifetimeDollarsRefunded"`
	// LifetimeDollarsPurchased is the purchased-amount bucket (0 to 7).
	LifetimeDollarsPurchased int `json:"lifetimeDollarsPurchased"`
	// UserStatus is 0 undeclared, 1 active, 2 suspended, 3 terminated,
	// 4 limited access.
	UserStatus int `json:"userStatus"`
	// RefundPreference is 0 undeclared, 1 grant, 2 decline, 3 no preference.
	RefundPreference int `json:"refundPreference,omitempty"`
}

// SendConsumptionInformationV1 sends consumption data in the first version's
// format (PUT /inApps/v1/transactions/consumption/{transactionId}), which
// Apple now keeps for Advanced Commerce API purchases; use
// SendConsumptionInformation for the others. Apple answers 202 with no body.
// A PUT of the same data is idempotent, so it is retried.
func (c *Client) SendConsumptionInformationV1(ctx context.Context, transactionID string, req ConsumptionRequestV1) error {
	return c.do(ctx, call{op: "SendConsumptionInformationV1", method: http.MethodPut,
		path: "/inApps/v1/transactions/consumption/" + url.PathEscape(transactionID), body: req, idempotent: true}, nil)
}
