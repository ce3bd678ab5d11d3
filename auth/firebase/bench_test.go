package firebase

import (
	"context"
	"testing"
)

// BenchmarkVerifyIDToken measures verification with the keys cached.
func BenchmarkVerifyIDToken(b *testing.B) {
	key := newSigningKey(b, "kid-1")
	ks := newKeyServer(b, key)
	clock := newFakeClock()
	v := newTestVerifier(b, ks, clock, Config{})
	raw := key.sign(b, validClaims(clock.Now()))
	ctx := context.Background()
	if _, err := v.VerifyIDToken(ctx, raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.VerifyIDToken(ctx, raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
