package appstore

// Transaction is the decoded payload of a signed transaction
// (JWSTransactionDecodedPayload). Field names follow Apple's JSON keys.
type Transaction struct {
	// OriginalTransactionID is the transaction id of the original purchase.
	OriginalTransactionID string `json:"originalTransactionId,omitempty"`
	// TransactionID is the unique id of this transaction.
	TransactionID string `json:"transactionId,omitempty"`
	// WebOrderLineItemID identifies subscription purchase events across devices.
	WebOrderLineItemID string `json:"webOrderLineItemId,omitempty"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId,omitempty"`
	// ProductID is the in-app purchase's product identifier.
	ProductID string `json:"productId,omitempty"`
	// SubscriptionGroupIdentifier is the subscription group the product belongs to.
	SubscriptionGroupIdentifier string `json:"subscriptionGroupIdentifier,omitempty"`
	// PurchaseDate is when the App Store charged the customer.
	PurchaseDate Timestamp `json:"purchaseDate,omitempty"`
	// OriginalPurchaseDate is the purchase date of the original transaction.
	OriginalPurchaseDate Timestamp `json:"originalPurchaseDate,omitempty"`
	// ExpiresDate is when a subscription expires or renews.
	ExpiresDate Timestamp `json:"expiresDate,omitempty"`
	// Quantity is the number of consumable products purchased.
	Quantity int `json:"quantity,omitempty"`
	// Type is the product type, such as "Auto-Renewable Subscription",
	// "Non-Consumable", "Consumable" or "Non-Renewing Subscription".
	Type string `json:"type,omitempty"`
	// AppAccountToken is the UUID the app attached to the purchase.
	AppAccountToken string `json:"appAccountToken,omitempty"`
	// InAppOwnershipType is "PURCHASED" or "FAMILY_SHARED".
	InAppOwnershipType string `json:"inAppOwnershipType,omitempty"`
	// SignedDate is when the App Store signed the payload.
	SignedDate Timestamp `json:"signedDate,omitempty"`
	// RevocationReason is why the App Store refunded or revoked the
	// transaction (0 other, 1 app issue); nil when not revoked.
	RevocationReason *int `json:"revocationReason,omitempty"`
	// RevocationDate is when the transaction was refunded or revoked.
	RevocationDate Timestamp `json:"revocationDate,omitempty"`
	// RevocationType is the kind of refund or revocation: RevocationRefundFull,
	// RevocationRefundProrated or RevocationFamilyRevoke; empty when not
	// revoked.
	RevocationType string `json:"revocationType,omitempty"`
	// RevocationPercentage is the share of the transaction refunded or
	// revoked, in milliunits (40000 is 40%); nil when absent, as for
	// unrevoked transactions and reversed refunds.
	RevocationPercentage *int `json:"revocationPercentage,omitempty"`
	// IsUpgraded reports whether the customer upgraded to another subscription.
	IsUpgraded bool `json:"isUpgraded,omitempty"`
	// OfferType is the kind of promotional offer (1 introductory, 2
	// promotional, 3 offer code, 4 win-back); zero when none.
	OfferType int `json:"offerType,omitempty"`
	// OfferIdentifier is the offer code or promotional offer id.
	OfferIdentifier string `json:"offerIdentifier,omitempty"`
	// Environment is the environment that produced the transaction.
	Environment Environment `json:"environment,omitempty"`
	// Storefront is the three-letter country code of the App Store storefront.
	Storefront string `json:"storefront,omitempty"`
	// StorefrontID is Apple's id for the storefront.
	StorefrontID string `json:"storefrontId,omitempty"`
	// TransactionReason is "PURCHASE" or "RENEWAL".
	TransactionReason string `json:"transactionReason,omitempty"`
	// Currency is the ISO 4217 currency code of the price.
	Currency string `json:"currency,omitempty"`
	// Price is the price in milliunits of Currency.
	Price int64 `json:"price,omitempty"`
	// OfferDiscountType is the payment mode of the offer, such as "FREE_TRIAL".
	OfferDiscountType string `json:"offerDiscountType,omitempty"`
	// AppTransactionID is the id of the app download transaction.
	AppTransactionID string `json:"appTransactionId,omitempty"`
	// OfferPeriod is the ISO 8601 duration of the offer.
	OfferPeriod string `json:"offerPeriod,omitempty"`
}

// Values of Transaction.RevocationType.
const (
	// RevocationRefundFull is a full refund.
	RevocationRefundFull = "REFUND_FULL"
	// RevocationRefundProrated is a partial refund; RevocationPercentage says
	// how much.
	RevocationRefundProrated = "REFUND_PRORATED"
	// RevocationFamilyRevoke is a Family Sharing purchase no longer shared.
	RevocationFamilyRevoke = "FAMILY_REVOKE"
)

// RenewalInfo is the decoded payload of signed subscription renewal
// information (JWSRenewalInfoDecodedPayload).
type RenewalInfo struct {
	// ExpirationIntent is why the subscription expired (1 cancelled, 2 billing
	// error, 3 price increase declined, 4 product unavailable, 5 other).
	ExpirationIntent int `json:"expirationIntent,omitempty"`
	// OriginalTransactionID is the original transaction id of the subscription.
	OriginalTransactionID string `json:"originalTransactionId,omitempty"`
	// AutoRenewProductID is the product that renews at the next billing period.
	AutoRenewProductID string `json:"autoRenewProductId,omitempty"`
	// ProductID is the product identifier of the subscription.
	ProductID string `json:"productId,omitempty"`
	// AutoRenewStatus is 1 when the subscription renews automatically, 0 when not.
	AutoRenewStatus int `json:"autoRenewStatus"`
	// IsInBillingRetryPeriod reports whether the App Store is retrying billing.
	IsInBillingRetryPeriod bool `json:"isInBillingRetryPeriod,omitempty"`
	// PriceIncreaseStatus is 0 (not yet consented) or 1 (consented or not needed).
	PriceIncreaseStatus *int `json:"priceIncreaseStatus,omitempty"`
	// GracePeriodExpiresDate is when the billing grace period ends.
	GracePeriodExpiresDate Timestamp `json:"gracePeriodExpiresDate,omitempty"`
	// OfferType is the kind of offer applied at renewal.
	OfferType int `json:"offerType,omitempty"`
	// OfferIdentifier is the offer code or promotional offer id.
	OfferIdentifier string `json:"offerIdentifier,omitempty"`
	// SignedDate is when the App Store signed the payload.
	SignedDate Timestamp `json:"signedDate,omitempty"`
	// Environment is the environment that produced the renewal information.
	Environment Environment `json:"environment,omitempty"`
	// RecentSubscriptionStartDate is the start of the most recent run of
	// continuous subscription.
	RecentSubscriptionStartDate Timestamp `json:"recentSubscriptionStartDate,omitempty"`
	// RenewalDate is when the subscription next renews.
	RenewalDate Timestamp `json:"renewalDate,omitempty"`
	// Currency is the ISO 4217 currency code of RenewalPrice.
	Currency string `json:"currency,omitempty"`
	// RenewalPrice is the renewal price in milliunits of Currency.
	RenewalPrice int64 `json:"renewalPrice,omitempty"`
	// OfferDiscountType is the payment mode of the offer.
	OfferDiscountType string `json:"offerDiscountType,omitempty"`
	// EligibleWinBackOfferIDs lists win-back offers the customer may redeem.
	EligibleWinBackOfferIDs []string `json:"eligibleWinBackOfferIds,omitempty"`
	// AppAccountToken is the UUID the app attached to the purchase.
	AppAccountToken string `json:"appAccountToken,omitempty"`
	// AppTransactionID is the id of the app download transaction.
	AppTransactionID string `json:"appTransactionId,omitempty"`
	// OfferPeriod is the ISO 8601 duration of the offer.
	OfferPeriod string `json:"offerPeriod,omitempty"`
}

// AppTransaction is the decoded payload of a signed app transaction, the
// record of the customer's download of the app.
type AppTransaction struct {
	// ReceiptType is the environment the app transaction belongs to.
	ReceiptType Environment `json:"receiptType,omitempty"`
	// AppAppleID is the app's Apple id (absent in the sandbox).
	AppAppleID int64 `json:"appAppleId,omitempty"`
	// BundleID is the app's bundle identifier.
	BundleID string `json:"bundleId,omitempty"`
	// ApplicationVersion is the app version the transaction applies to.
	ApplicationVersion string `json:"applicationVersion,omitempty"`
	// VersionExternalIdentifier identifies the app version in App Store Connect.
	VersionExternalIdentifier int64 `json:"versionExternalIdentifier,omitempty"`
	// ReceiptCreationDate is when the App Store created the app transaction.
	ReceiptCreationDate Timestamp `json:"receiptCreationDate,omitempty"`
	// OriginalPurchaseDate is when the customer first downloaded the app.
	OriginalPurchaseDate Timestamp `json:"originalPurchaseDate,omitempty"`
	// OriginalApplicationVersion is the app version first downloaded.
	OriginalApplicationVersion string `json:"originalApplicationVersion,omitempty"`
	// DeviceVerification is a base64 value the device uses to check the
	// transaction belongs to it.
	DeviceVerification string `json:"deviceVerification,omitempty"`
	// DeviceVerificationNonce is the UUID used to compute DeviceVerification.
	DeviceVerificationNonce string `json:"deviceVerificationNonce,omitempty"`
	// PreorderDate is when the customer pre-ordered the app.
	PreorderDate Timestamp `json:"preorderDate,omitempty"`
	// AppTransactionID is the unique id of the app download.
	AppTransactionID string `json:"appTransactionId,omitempty"`
	// OriginalPlatform is the platform of the first download, such as "iOS".
	OriginalPlatform string `json:"originalPlatform,omitempty"`
	// SignedDate is when the App Store signed the payload.
	SignedDate Timestamp `json:"signedDate,omitempty"`
}
