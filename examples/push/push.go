package main

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/groundwork-go/groundwork/httpx"
	"github.com/groundwork-go/groundwork/notify"
)

// push serves the device and notification routes.
type push struct {
	sender  notify.Sender
	devices *devices
	logger  *slog.Logger
}

// registerInput is the body of POST /api/v1/devices.
type registerInput struct {
	Token    string `json:"token" validate:"required,max=4096"`
	Platform string `json:"platform" validate:"required,oneof=android ios web"`
}

func (p *push) register(w http.ResponseWriter, r *http.Request, userID int64) {
	var in registerInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	d, err := p.devices.register(r.Context(), userID, in.Token, in.Platform)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, d)
}

func (p *push) list(w http.ResponseWriter, r *http.Request, userID int64) {
	out, err := p.devices.list(r.Context(), userID)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"devices": out})
}

func (p *push) remove(w http.ResponseWriter, r *http.Request, userID int64) {
	n, err := p.devices.remove(r.Context(), userID, r.PathValue("token"))
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	if n == 0 {
		httpx.WriteError(w, r, httpx.NotFound("device not found"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// testInput is the body of POST /api/v1/notifications/test.
type testInput struct {
	Title string `json:"title" validate:"max=200"`
	Body  string `json:"body" validate:"max=1000"`
}

// sendResult is the answer of POST /api/v1/notifications/test.
type sendResult struct {
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Removed int `json:"removed"`
}

// sendTest pushes a notification to every device of the caller and removes
// the tokens the provider reports dead.
func (p *push) sendTest(w http.ResponseWriter, r *http.Request, userID int64) {
	var in testInput
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Title == "" {
		in.Title = "Test notification"
	}
	if in.Body == "" {
		in.Body = "Push notifications reach this device."
	}
	devs, err := p.devices.list(r.Context(), userID)
	if err != nil {
		httpx.WriteError(w, r, httpx.Internal(err))
		return
	}
	if len(devs) == 0 {
		httpx.WriteError(w, r, httpx.NewError(http.StatusConflict, httpx.CodeConflict, "no device is registered; POST /api/v1/devices first"))
		return
	}
	tokens := make([]string, len(devs))
	for i, d := range devs {
		tokens[i] = d.Token
	}
	res, err := p.sender.Send(r.Context(), notify.ToTokens(tokens...), &notify.Message{
		Notification: &notify.Notification{Title: in.Title, Body: in.Body},
		Data:         map[string]string{"kind": "test"},
	})
	if res == nil {
		httpx.WriteError(w, r, sendError(err))
		return
	}
	out := sendResult{Sent: res.SuccessCount(), Failed: res.FailureCount()}
	if dead := res.DeadTokens(); len(dead) > 0 {
		n, err := p.devices.remove(r.Context(), userID, dead...)
		if err != nil {
			httpx.WriteError(w, r, httpx.Internal(err))
			return
		}
		out.Removed = int(n)
		p.logger.InfoContext(r.Context(), "removed dead device tokens", "user_id", userID, "count", n)
	}
	if err != nil {
		p.logger.WarnContext(r.Context(), "push partly failed", "user_id", userID, "error", err)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// sendError maps a failure of the whole send to the client's answer.
func sendError(err error) *httpx.Error {
	switch {
	case errors.Is(err, notify.ErrInvalidMessage), errors.Is(err, notify.ErrPayloadTooLarge):
		return httpx.BadRequest("the notification is not valid").WithCause(err)
	case errors.Is(err, notify.ErrUnavailable), errors.Is(err, notify.ErrQuotaExceeded):
		return httpx.ServiceUnavailable("the push service is unavailable; try again shortly").WithCause(err)
	}
	return httpx.Internal(err)
}
