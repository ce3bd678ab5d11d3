package appstore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"
)

// wantRequest is the request an endpoint must send.
type wantRequest struct {
	method, path, query string
	body                any // JSON-compared; nil means no body
}

func TestClientEndpoints(t *testing.T) {
	pki := newTestPKI(t, pkiSpec{})
	now := time.Now()
	stx := pki.sign(t, testTransaction(Production, now))
	renewal := pki.sign(t, RenewalInfo{OriginalTransactionID: "1", AutoRenewProductID: "p", AutoRenewStatus: 1,
		Environment: Production, SignedDate: TimestampOf(now)})
	notification := pki.sign(t, testNotification(t, pki, Production))
	revokedFalse := false

	tests := []struct {
		name    string
		pattern string
		status  int
		reply   any
		call    func(ctx context.Context, c *Client) (any, error)
		want    wantRequest
		check   func(t *testing.T, got any)
	}{
		{
			name: "GetTransactionInfo", pattern: "GET /inApps/v1/transactions/{id}",
			reply: map[string]any{"signedTransactionInfo": stx},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetTransactionInfo(ctx, "2000000000000001")
			},
			want: wantRequest{method: "GET", path: "/inApps/v1/transactions/2000000000000001"},
			check: func(t *testing.T, got any) {
				if tx := got.(*TransactionInfoResponse).Transaction; tx == nil || tx.TransactionID != "1000000000000002" {
					t.Fatalf("got transaction %+v, want id 1000000000000002", tx)
				}
			},
		},
		{
			name: "GetTransactionInfo escapes the id", pattern: "GET /inApps/v1/transactions/{id}",
			reply: map[string]any{"signedTransactionInfo": stx},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetTransactionInfo(ctx, "a/b?c")
			},
			want: wantRequest{method: "GET", path: "/inApps/v1/transactions/a%2Fb%3Fc"},
		},
		{
			name: "GetTransactionHistory", pattern: "GET /inApps/v2/history/{id}",
			reply: map[string]any{"revision": "rev2", "hasMore": true, "bundleId": testBundleID,
				"appAppleId": testAppAppleID, "environment": "Production", "signedTransactions": []string{stx, stx}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetTransactionHistory(ctx, "1", TransactionHistoryRequest{Revision: "rev1", StartDate: 1000, EndDate: 2000,
					ProductIDs: []string{"a", "b"}, ProductTypes: []string{ProductTypeAutoRenewable}, Sort: "DESCENDING",
					SubscriptionGroupIdentifiers: []string{"g"}, InAppOwnershipType: "PURCHASED", Revoked: &revokedFalse})
			},
			want: wantRequest{method: "GET", path: "/inApps/v2/history/1",
				query: "revision=rev1&startDate=1000&endDate=2000&productId=a&productId=b&productType=AUTO_RENEWABLE&sort=DESCENDING&subscriptionGroupIdentifier=g&inAppOwnershipType=PURCHASED&revoked=false"},
			check: func(t *testing.T, got any) {
				h := got.(*HistoryResponse)
				if h.Revision != "rev2" || !h.HasMore || len(h.Transactions) != 2 || h.Transactions[1].Price != 9990 {
					t.Fatalf("got %+v, want revision rev2, hasMore, two verified transactions", h)
				}
			},
		},
		{
			name: "GetAllSubscriptionStatuses", pattern: "GET /inApps/v1/subscriptions/{id}",
			reply: map[string]any{"environment": "Production", "bundleId": testBundleID, "appAppleId": testAppAppleID,
				"data": []any{map[string]any{"subscriptionGroupIdentifier": "g", "lastTransactions": []any{
					map[string]any{"status": 1, "originalTransactionId": "1", "signedTransactionInfo": stx, "signedRenewalInfo": renewal}}}}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetAllSubscriptionStatuses(ctx, "1", 1, 4)
			},
			want: wantRequest{method: "GET", path: "/inApps/v1/subscriptions/1", query: "status=1&status=4"},
			check: func(t *testing.T, got any) {
				lt := got.(*StatusResponse).Data[0].LastTransactions[0]
				if lt.Status != 1 || lt.Transaction == nil || lt.RenewalInfo == nil || lt.RenewalInfo.AutoRenewProductID != "p" {
					t.Fatalf("got %+v, want status 1 with verified transaction and renewal info", lt)
				}
			},
		},
		{
			name: "LookUpOrderID", pattern: "GET /inApps/v1/lookup/{id}",
			reply: map[string]any{"status": 0, "signedTransactions": []string{stx}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.LookUpOrderID(ctx, "MQ5Z4XJ2")
			},
			want: wantRequest{method: "GET", path: "/inApps/v1/lookup/MQ5Z4XJ2"},
			check: func(t *testing.T, got any) {
				if o := got.(*OrderLookupResponse); o.Status != 0 || len(o.Transactions) != 1 {
					t.Fatalf("got %+v, want status 0 and one transaction", o)
				}
			},
		},
		{
			name: "GetNotificationHistory", pattern: "POST /inApps/v1/notifications/history",
			reply: map[string]any{"paginationToken": "tok2", "hasMore": false, "notificationHistory": []any{
				map[string]any{"signedPayload": notification, "sendAttempts": []any{map[string]any{"attemptDate": 1698148900000, "sendAttemptResult": "NO_RESPONSE"}}}}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetNotificationHistory(ctx, "tok1", NotificationHistoryRequest{StartDate: 1000, EndDate: 2000,
					NotificationType: "DID_RENEW", OnlyFailures: true})
			},
			want: wantRequest{method: "POST", path: "/inApps/v1/notifications/history", query: "paginationToken=tok1",
				body: map[string]any{"startDate": 1000, "endDate": 2000, "notificationType": "DID_RENEW", "onlyFailures": true}},
			check: func(t *testing.T, got any) {
				item := got.(*NotificationHistoryResponse).NotificationHistory[0]
				if item.Notification == nil || item.Notification.NotificationType != "DID_RENEW" || item.SendAttempts[0].SendAttemptResult != "NO_RESPONSE" {
					t.Fatalf("got %+v, want a verified DID_RENEW with one NO_RESPONSE attempt", item)
				}
			},
		},
		{
			name: "RequestTestNotification", pattern: "POST /inApps/v1/notifications/test",
			reply: map[string]any{"testNotificationToken": "ce3af791-365e-4c60-841b-1674b43c1609_1698148900000"},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RequestTestNotification(ctx)
			},
			want: wantRequest{method: "POST", path: "/inApps/v1/notifications/test"},
			check: func(t *testing.T, got any) {
				if tok := got.(*TestNotificationResponse).TestNotificationToken; tok != "ce3af791-365e-4c60-841b-1674b43c1609_1698148900000" {
					t.Fatalf("got token %q, want the fake's", tok)
				}
			},
		},
		{
			name: "GetTestNotificationStatus", pattern: "GET /inApps/v1/notifications/test/{token}",
			reply: map[string]any{"signedPayload": notification, "sendAttempts": []any{map[string]any{"attemptDate": 1698148900000, "sendAttemptResult": "SUCCESS"}}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetTestNotificationStatus(ctx, "tok")
			},
			want: wantRequest{method: "GET", path: "/inApps/v1/notifications/test/tok"},
			check: func(t *testing.T, got any) {
				r := got.(*TestNotificationStatusResponse)
				if r.Notification == nil || r.SendAttempts[0].AttemptDate.Time().UnixMilli() != 1698148900000 {
					t.Fatalf("got %+v, want a verified notification and the attempt date", r)
				}
			},
		},
		{
			name: "GetRefundHistory", pattern: "GET /inApps/v2/refund/lookup/{id}",
			reply: map[string]any{"signedTransactions": []string{stx}, "revision": "r2", "hasMore": false},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetRefundHistory(ctx, "1", "r1")
			},
			want: wantRequest{method: "GET", path: "/inApps/v2/refund/lookup/1", query: "revision=r1"},
			check: func(t *testing.T, got any) {
				if r := got.(*RefundHistoryResponse); r.Revision != "r2" || len(r.Transactions) != 1 {
					t.Fatalf("got %+v, want revision r2 and one transaction", r)
				}
			},
		},
		{
			name: "ExtendSubscriptionRenewalDate", pattern: "PUT /inApps/v1/subscriptions/extend/{id}",
			reply: map[string]any{"originalTransactionId": "1", "webOrderLineItemId": "w", "success": true, "effectiveDate": 1698148900000},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ExtendSubscriptionRenewalDate(ctx, "1", ExtendRenewalDateRequest{ExtendByDays: 30, ExtendReasonCode: 1,
					RequestIdentifier: "fdf964a4-233b-486c-aac1-97d8d52688ac"})
			},
			want: wantRequest{method: "PUT", path: "/inApps/v1/subscriptions/extend/1",
				body: map[string]any{"extendByDays": 30, "extendReasonCode": 1, "requestIdentifier": "fdf964a4-233b-486c-aac1-97d8d52688ac"}},
			check: func(t *testing.T, got any) {
				if r := got.(*ExtendRenewalDateResponse); !r.Success || r.EffectiveDate != 1698148900000 {
					t.Fatalf("got %+v, want success with the effective date", r)
				}
			},
		},
		{
			name: "SendConsumptionInformationV1", pattern: "PUT /inApps/v1/transactions/consumption/{id}", status: http.StatusAccepted,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.SendConsumptionInformationV1(ctx, "1", ConsumptionRequestV1{CustomerConsented: true, ConsumptionStatus: 2,
					Platform: 1, DeliveryStatus: 0, AppAccountToken: "7389a31a-fb6d-4569-a2a6-db7d85d84813", PlayTime: 3})
			},
			want: wantRequest{method: "PUT", path: "/inApps/v1/transactions/consumption/1",
				body: map[string]any{"customerConsented": true, "consumptionStatus": 2, "platform": 1, "sampleContentProvided": false,
					"deliveryStatus": 0, "appAccountToken": "7389a31a-fb6d-4569-a2a6-db7d85d84813", "accountTenure": 0, "playTime": 3,
					"lifetimeDollarsRefunded": 0, "lifetimeDollarsPurchased": 0, "userStatus": 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			status := tt.status
			if status == 0 {
				status = http.StatusOK
			}
			f.reply(tt.pattern, status, tt.reply)
			c := f.newClient(t, ClientOptions{Verifier: newTestVerifier(t, pki.root, Production, VerifierOptions{})})
			got, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			reqs := f.seen()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			assertRequest(t, reqs[0], tt.want)
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func assertRequest(t *testing.T, got fakeRequest, want wantRequest) {
	t.Helper()
	if got.method != want.method || got.path != want.path {
		t.Fatalf("got %s %s, want %s %s", got.method, got.path, want.method, want.path)
	}
	gq, _ := url.ParseQuery(got.query)
	wq, _ := url.ParseQuery(want.query)
	if !reflect.DeepEqual(gq, wq) {
		t.Fatalf("got query %q, want %q", got.query, want.query)
	}
	if want.body == nil {
		if got.body != "" {
			t.Fatalf("got body %q, want none", got.body)
		}
		return
	}
	var gb, wb any
	if err := json.Unmarshal([]byte(got.body), &gb); err != nil {
		t.Fatalf("request body %q: %v", got.body, err)
	}
	raw, _ := json.Marshal(want.body)
	json.Unmarshal(raw, &wb)
	if !reflect.DeepEqual(gb, wb) {
		t.Fatalf("got body %s, want %s", got.body, raw)
	}
}

func TestClientWithoutVerifierLeavesSignedFields(t *testing.T) {
	f := newFakeAPI(t)
	f.reply("GET /inApps/v1/transactions/{id}", 200, map[string]any{"signedTransactionInfo": "not.even.jws"})
	got, err := f.newClient(t, ClientOptions{}).GetTransactionInfo(context.Background(), "1")
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if got.SignedTransactionInfo != "not.even.jws" || got.Transaction != nil {
		t.Fatalf("got %+v, want the raw field and no decoded transaction", got)
	}
}

func TestClientRejectsUnverifiableResponse(t *testing.T) {
	trusted := newTestPKI(t, pkiSpec{})
	forger := newTestPKI(t, pkiSpec{})
	f := newFakeAPI(t)
	f.reply("GET /inApps/v1/transactions/{id}", 200, map[string]any{
		"signedTransactionInfo": forger.sign(t, testTransaction(Production, time.Now()))})
	c := f.newClient(t, ClientOptions{Verifier: newTestVerifier(t, trusted.root, Production, VerifierOptions{})})
	_, err := c.GetTransactionInfo(context.Background(), "1")
	if !errors.Is(err, ErrUntrustedChain) {
		t.Fatalf("got error %v, want %v", err, ErrUntrustedChain)
	}
}

func TestTransactionHistoryPagination(t *testing.T) {
	f := newFakeAPI(t)
	pages := map[string]map[string]any{
		"":   {"revision": "r1", "hasMore": true, "signedTransactions": []string{"a"}},
		"r1": {"revision": "r2", "hasMore": true, "signedTransactions": []string{"b"}},
		"r2": {"revision": "r3", "hasMore": false, "signedTransactions": []string{"c"}},
	}
	f.handle("GET /inApps/v2/history/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, pages[r.URL.Query().Get("revision")])
	})
	c := f.newClient(t, ClientOptions{})
	var got []string
	for page, err := range c.TransactionHistory(context.Background(), "1", TransactionHistoryRequest{Sort: "ASCENDING"}) {
		if err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
		got = append(got, page.SignedTransactions...)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, r := range f.seen() {
		if q, _ := url.ParseQuery(r.query); q.Get("sort") != "ASCENDING" {
			t.Fatalf("got query %q, want sort kept on every page", r.query)
		}
	}
}

func TestNotificationHistoryPagination(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("POST /inApps/v1/notifications/history", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("paginationToken") == "" {
			writeJSON(w, 200, map[string]any{"paginationToken": "p1", "hasMore": true,
				"notificationHistory": []any{map[string]any{"signedPayload": "x"}}})
			return
		}
		writeJSON(w, 200, map[string]any{"hasMore": false, "notificationHistory": []any{map[string]any{"signedPayload": "y"}}})
	})
	c := f.newClient(t, ClientOptions{})
	var got []string
	for page, err := range c.NotificationHistory(context.Background(), NotificationHistoryRequest{StartDate: 1, EndDate: 2}) {
		if err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
		for _, item := range page.NotificationHistory {
			got = append(got, item.SignedPayload)
		}
	}
	if want := []string{"x", "y"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestPaginationStopsOnError(t *testing.T) {
	f := newFakeAPI(t)
	f.reply("GET /inApps/v2/history/{id}", http.StatusBadRequest,
		map[string]any{"errorCode": ErrorCodeInvalidRequestRevision, "errorMessage": "Invalid request revision."})
	c := f.newClient(t, ClientOptions{})
	n := 0
	for _, err := range c.TransactionHistory(context.Background(), "1", TransactionHistoryRequest{}) {
		n++
		if !errors.Is(err, ErrBadRequest) {
			t.Fatalf("got error %v, want %v", err, ErrBadRequest)
		}
	}
	if n != 1 {
		t.Fatalf("got %d iterations, want 1", n)
	}
}

func TestBearerTokenCaching(t *testing.T) {
	f := newFakeAPI(t)
	f.reply("GET /inApps/v1/lookup/{id}", 200, map[string]any{"status": 0})
	var mu sync.Mutex
	clock := time.Now().Truncate(time.Second)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	f.now = now
	c := f.newClient(t, ClientOptions{Now: now, TokenLifetime: 5 * time.Minute})

	lookup := func() {
		t.Helper()
		if _, err := c.LookUpOrderID(context.Background(), "o"); err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
	}
	lookup()
	advance(3 * time.Minute) // 2 minutes left: reused
	lookup()
	advance(90 * time.Second) // 30 seconds left: replaced
	lookup()

	reqs := f.seen()
	if reqs[0].token != reqs[1].token {
		t.Fatalf("got a new token after 3 minutes, want the cached one")
	}
	if reqs[1].token == reqs[2].token {
		t.Fatalf("got the cached token 30 seconds before expiry, want a new one")
	}
	claims := reqs[0].claims
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if got := exp.Sub(iat.Time); got != 5*time.Minute {
		t.Fatalf("got token lifetime %s, want 5m", got)
	}
	if claims["iss"] != testIssuerID || claims["bid"] != testBundleID || claims["aud"] != "appstoreconnect-v1" {
		t.Fatalf("got claims %v, want iss, bid and aud of the credentials", claims)
	}
}

func TestClientUnauthorized(t *testing.T) {
	f := newFakeAPI(t)
	other := newFakeAPI(t) // a different key
	f.reply("GET /inApps/v1/lookup/{id}", 200, map[string]any{"status": 0})
	c, err := NewClient(Credentials{PrivateKey: other.keyPEM(t), KeyID: testKeyID, IssuerID: testIssuerID, BundleID: testBundleID},
		Production, ClientOptions{BaseURL: f.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.LookUpOrderID(context.Background(), "o")
	var apiErr *APIError
	if !errors.Is(err, ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("got error %v, want a 401 *APIError", err)
	}
}

func TestNewClientConfig(t *testing.T) {
	key := newFakeAPI(t).keyPEM(t)
	tests := []struct {
		name    string
		cred    Credentials
		env     Environment
		base    string
		wantErr error
		wantURL string
	}{
		{name: "production", cred: Credentials{key, "k", "i", "b"}, env: Production, wantURL: ProductionBaseURL},
		{name: "sandbox", cred: Credentials{key, "k", "i", "b"}, env: Sandbox, wantURL: SandboxBaseURL},
		{name: "override", cred: Credentials{key, "k", "i", "b"}, env: LocalTesting, base: "http://127.0.0.1:1/", wantURL: "http://127.0.0.1:1"},
		{name: "xcode without base URL", cred: Credentials{key, "k", "i", "b"}, env: Xcode, wantErr: ErrBaseURLRequired},
		{name: "missing key id", cred: Credentials{key, "", "i", "b"}, env: Production, wantErr: ErrInvalidCredentials},
		{name: "key not PEM", cred: Credentials{[]byte("nope"), "k", "i", "b"}, env: Production, wantErr: ErrInvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cred, tt.env, ClientOptions{BaseURL: tt.base})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && c.baseURL != tt.wantURL {
				t.Fatalf("got base URL %q, want %q", c.baseURL, tt.wantURL)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{strconv.FormatInt(now.Add(90*time.Second).UnixMilli(), 10), 90 * time.Second},
		{strconv.FormatInt(now.Add(-time.Minute).UnixMilli(), 10), 0},
		{now.Add(2 * time.Minute).Format(http.TimeFormat), 2 * time.Minute},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.header, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) got %s, want %s", tt.header, got, tt.want)
		}
	}
}
