package appstore

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// NotificationHistoryRequest filters GetNotificationHistory. StartDate and
// EndDate are required (at most 180 days back).
type NotificationHistoryRequest struct {
	// StartDate is the start of the time range, inclusive.
	StartDate Timestamp `json:"startDate"`
	// EndDate is the end of the time range, exclusive.
	EndDate Timestamp `json:"endDate"`
	// NotificationType keeps only this type; empty for all.
	NotificationType string `json:"notificationType,omitempty"`
	// NotificationSubtype keeps only this subtype; empty for all.
	NotificationSubtype string `json:"notificationSubtype,omitempty"`
	// TransactionID keeps only notifications about this customer's
	// transactions; it excludes the type filters.
	TransactionID string `json:"transactionId,omitempty"`
	// OnlyFailures keeps only notifications that never reached your server.
	OnlyFailures bool `json:"onlyFailures,omitempty"`
}

// NotificationHistoryResponse is one page of GetNotificationHistory.
type NotificationHistoryResponse struct {
	// PaginationToken is the token of the next page.
	PaginationToken string `json:"paginationToken"`
	// HasMore reports whether another page follows.
	HasMore bool `json:"hasMore"`
	// NotificationHistory holds the page's notifications.
	NotificationHistory []NotificationHistoryItem `json:"notificationHistory"`
}

// NotificationHistoryItem is one sent notification and its delivery attempts.
type NotificationHistoryItem struct {
	// SignedPayload is the notification as sent.
	SignedPayload string `json:"signedPayload"`
	// SendAttempts lists the delivery attempts.
	SendAttempts []SendAttempt `json:"sendAttempts"`
	// Notification is SignedPayload verified, when the client has a
	// Verifier; nil otherwise.
	Notification *Notification `json:"-"`
}

// SendAttempt is one attempt to deliver a notification.
type SendAttempt struct {
	// AttemptDate is when the App Store tried to send the notification.
	AttemptDate Timestamp `json:"attemptDate"`
	// SendAttemptResult is "SUCCESS" or the failure, such as "TIMED_OUT".
	SendAttemptResult string `json:"sendAttemptResult"`
}

func (r *NotificationHistoryResponse) verify(ctx context.Context, v *Verifier) (err error) {
	for i := range r.NotificationHistory {
		item := &r.NotificationHistory[i]
		if item.Notification, err = verifyOptionalNotification(ctx, v, item.SignedPayload); err != nil {
			return fmt.Errorf("notificationHistory[%d]: %w", i, err)
		}
	}
	return nil
}

// GetNotificationHistory returns one page of the notifications the App Store
// sent (POST /inApps/v1/notifications/history); paginationToken is empty for
// the first page. The POST only reads, so it is retried.
func (c *Client) GetNotificationHistory(ctx context.Context, paginationToken string, req NotificationHistoryRequest) (*NotificationHistoryResponse, error) {
	q := url.Values{}
	setNonEmpty(q, "paginationToken", paginationToken)
	return doJSON[NotificationHistoryResponse](ctx, c, call{op: "GetNotificationHistory", method: http.MethodPost,
		path: "/inApps/v1/notifications/history", query: q, body: req, idempotent: true})
}

// NotificationHistory iterates over all pages of GetNotificationHistory.
// Iteration stops after the first error.
func (c *Client) NotificationHistory(ctx context.Context, req NotificationHistoryRequest) iter.Seq2[*NotificationHistoryResponse, error] {
	token := ""
	return paginate(func() (*NotificationHistoryResponse, bool, error) {
		page, err := c.GetNotificationHistory(ctx, token, req)
		if err != nil {
			return nil, false, err
		}
		token = page.PaginationToken
		return page, page.HasMore, nil
	})
}

// TestNotificationResponse is the answer of RequestTestNotification.
type TestNotificationResponse struct {
	// TestNotificationToken identifies the test notification for
	// GetTestNotificationStatus.
	TestNotificationToken string `json:"testNotificationToken"`
}

// RequestTestNotification asks the App Store to send a TEST notification to
// your server (POST /inApps/v1/notifications/test). Each call sends a new
// notification, so it is never retried.
func (c *Client) RequestTestNotification(ctx context.Context) (*TestNotificationResponse, error) {
	return doJSON[TestNotificationResponse](ctx, c, call{op: "RequestTestNotification", method: http.MethodPost,
		path: "/inApps/v1/notifications/test"})
}

// TestNotificationStatusResponse is the answer of GetTestNotificationStatus.
type TestNotificationStatusResponse struct {
	// SignedPayload is the test notification as sent.
	SignedPayload string `json:"signedPayload"`
	// SendAttempts lists the delivery attempts.
	SendAttempts []SendAttempt `json:"sendAttempts"`
	// Notification is SignedPayload verified, when the client has a
	// Verifier; nil otherwise.
	Notification *Notification `json:"-"`
}

func (r *TestNotificationStatusResponse) verify(ctx context.Context, v *Verifier) (err error) {
	r.Notification, err = verifyOptionalNotification(ctx, v, r.SignedPayload)
	return err
}

// GetTestNotificationStatus reports whether a test notification reached your
// server (GET /inApps/v1/notifications/test/{testNotificationToken}).
func (c *Client) GetTestNotificationStatus(ctx context.Context, testNotificationToken string) (*TestNotificationStatusResponse, error) {
	return doJSON[TestNotificationStatusResponse](ctx, c, call{op: "GetTestNotificationStatus", method: http.MethodGet,
		path: "/inApps/v1/notifications/test/" + url.PathEscape(testNotificationToken), idempotent: true})
}
