package appstore

// Notification is a verified App Store Server Notification V2
// (ResponseBodyV2DecodedPayload).
type Notification struct {
	// NotificationType is the event, such as "SUBSCRIBED", "DID_RENEW",
	// "REFUND" or "TEST".
	NotificationType string `json:"notificationType"`
	// Subtype refines NotificationType, such as "INITIAL_BUY"; may be empty.
	Subtype string `json:"subtype,omitempty"`
	// NotificationUUID identifies the notification; retries reuse it, so use
	// it to deduplicate.
	NotificationUUID string `json:"notificationUUID"`
	// Version is the notification format version, "2.0".
	Version string `json:"version,omitempty"`
	// SignedDate is when the App Store signed the notification.
	SignedDate Timestamp `json:"signedDate,omitempty"`
	// Data describes the app and the transaction; nil for summary, app data
	// and external purchase notifications.
	Data *NotificationData `json:"data,omitempty"`
	// AppData describes the app and the customer's app transaction; set for
	// RESCIND_CONSENT notifications, nil otherwise.
	AppData *NotificationAppData `json:"appData,omitempty"`
	// Summary describes a completed renewal-date extension for all
	// subscribers; nil otherwise.
	Summary *NotificationSummary `json:"summary,omitempty"`
	// ExternalPurchaseToken is set for EXTERNAL_PURCHASE_TOKEN notifications.
	ExternalPurchaseToken *ExternalPurchaseToken `json:"externalPurchaseToken,omitempty"`
}

// NotificationData is the app and transaction data of a notification.
type NotificationData struct {
	// Environment is the environment the notification applies to.
	Environment Environment `json:"environment,omitempty"`
	// AppAppleID is the app's Apple id (absent in the sandbox).
	AppAppleID int64 `json:"appAppleId,omitempty"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId,omitempty"`
	// BundleVersion is the app's build version.
	BundleVersion string `json:"bundleVersion,omitempty"`
	// SignedTransactionInfo is the signed transaction, verified into Transaction.
	SignedTransactionInfo string `json:"signedTransactionInfo,omitempty"`
	// SignedRenewalInfo is the signed renewal information, verified into
	// RenewalInfo.
	SignedRenewalInfo string `json:"signedRenewalInfo,omitempty"`
	// Status is the subscription status (1 active, 2 expired, 3 billing retry,
	// 4 grace period, 5 revoked); zero when absent.
	Status int `json:"status,omitempty"`
	// ConsumptionRequestReason is why a consumption request was sent.
	ConsumptionRequestReason string `json:"consumptionRequestReason,omitempty"`

	// Transaction is SignedTransactionInfo, verified; nil when absent.
	Transaction *Transaction `json:"-"`
	// RenewalInfo is SignedRenewalInfo, verified; nil when absent.
	RenewalInfo *RenewalInfo `json:"-"`
}

// NotificationAppData is the app data of a notification about the customer
// rather than one purchase, such as RESCIND_CONSENT.
type NotificationAppData struct {
	// AppAppleID is the app's Apple id (absent in the sandbox).
	AppAppleID int64 `json:"appAppleId,omitempty"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId,omitempty"`
	// Environment is the environment the notification applies to.
	Environment Environment `json:"environment,omitempty"`
	// SignedAppTransactionInfo is the customer's signed app transaction,
	// verified into AppTransaction.
	SignedAppTransactionInfo string `json:"signedAppTransactionInfo,omitempty"`

	// AppTransaction is SignedAppTransactionInfo, verified; nil when absent.
	AppTransaction *AppTransaction `json:"-"`
}

// NotificationSummary describes the result of a request to extend the
// renewal date of all active subscribers.
type NotificationSummary struct {
	// Environment is the environment the summary applies to.
	Environment Environment `json:"environment,omitempty"`
	// AppAppleID is the app's Apple id.
	AppAppleID int64 `json:"appAppleId,omitempty"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId,omitempty"`
	// ProductID is the subscription product that was extended.
	ProductID string `json:"productId,omitempty"`
	// RequestIdentifier is the id the request was sent with.
	RequestIdentifier string `json:"requestIdentifier,omitempty"`
	// StorefrontCountryCodes lists the storefronts the request covered.
	StorefrontCountryCodes []string `json:"storefrontCountryCodes,omitempty"`
	// SucceededCount is the number of subscriptions extended.
	SucceededCount int64 `json:"succeededCount,omitempty"`
	// FailedCount is the number of subscriptions that could not be extended.
	FailedCount int64 `json:"failedCount,omitempty"`
}

// ExternalPurchaseToken describes an external purchase token notification.
type ExternalPurchaseToken struct {
	// ExternalPurchaseID is the token's id; sandbox ids start with "SANDBOX".
	ExternalPurchaseID string `json:"externalPurchaseId,omitempty"`
	// TokenCreationDate is when the token was created.
	TokenCreationDate Timestamp `json:"tokenCreationDate,omitempty"`
	// AppAppleID is the app's Apple id.
	AppAppleID int64 `json:"appAppleId,omitempty"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId,omitempty"`
}
