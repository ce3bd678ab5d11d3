package appstore

import (
	"context"
	"fmt"
)

// verifyTransactions verifies each signed transaction of a response.
func verifyTransactions(ctx context.Context, v *Verifier, signed []string) ([]*Transaction, error) {
	out := make([]*Transaction, 0, len(signed))
	for i, s := range signed {
		tx, err := v.VerifyTransaction(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("signedTransactions[%d]: %w", i, err)
		}
		out = append(out, tx)
	}
	return out, nil
}

// verifyOptionalTransaction verifies signed unless it is empty.
func verifyOptionalTransaction(ctx context.Context, v *Verifier, signed string) (*Transaction, error) {
	if signed == "" {
		return nil, nil
	}
	return v.VerifyTransaction(ctx, signed)
}

// verifyOptionalNotification verifies signed unless it is empty.
func verifyOptionalNotification(ctx context.Context, v *Verifier, signed string) (*Notification, error) {
	if signed == "" {
		return nil, nil
	}
	return v.VerifyNotification(ctx, signed)
}
