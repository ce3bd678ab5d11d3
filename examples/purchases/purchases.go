package main

import (
	"errors"
	"net/http"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/iap/appstore"
)

// purchases serves the purchase and entitlement routes.
type purchases struct {
	verifier *appstore.Verifier
	store    *store
}

// recordInput is the body of POST /api/v1/purchases/apple.
type recordInput struct {
	SignedTransaction string `json:"signed_transaction" validate:"required,max=65536"`
}

// record verifies the posted transaction and binds it to the caller.
func (p *purchases) record(w http.ResponseWriter, r *http.Request, userID int64) {
	var in recordInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	tx, err := p.verifier.VerifyTransaction(r.Context(), in.SignedTransaction)
	if err != nil {
		httpx.WriteError(w, r, verifyError(err))
		return
	}
	e, err := p.store.claim(r.Context(), userID, tx)
	if errors.Is(err, errOwnedByOther) {
		httpx.WriteError(w, r, httpx.NewError(http.StatusConflict, httpx.CodeConflict,
			"this purchase is already recorded for another account").WithCause(err))
		return
	}
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, e)
}

// verifyError maps a verification failure to the client's answer: 400 for
// data that does not verify (a chain to an untrusted root, a bad signature,
// another app's or environment's data), 503 when the revocation check
// cannot be made.
func verifyError(err error) *httpx.Error {
	switch {
	case errors.Is(err, appstore.ErrRevocationCheckFailed):
		return httpx.ServiceUnavailable("cannot check certificate revocation; try again shortly").WithCause(err)
	case errors.Is(err, appstore.ErrBundleIDMismatch), errors.Is(err, appstore.ErrEnvironmentMismatch),
		errors.Is(err, appstore.ErrAppAppleIDMismatch):
		return httpx.BadRequest("the transaction is for another app or environment").WithCause(err)
	default:
		return httpx.BadRequest("the signed transaction does not verify as the App Store's").WithCause(err)
	}
}

// list answers the caller's entitlements.
func (p *purchases) list(w http.ResponseWriter, r *http.Request, userID int64) {
	out, err := p.store.list(r.Context(), userID)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"entitlements": out})
}
