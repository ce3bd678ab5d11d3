package redisconn

import "testing"

func TestOlderThan(t *testing.T) {
	for _, tt := range []struct {
		version string
		want    bool
	}{
		{"5.0.14", true}, {"6.0.0", false}, {"6.0", false}, {"6.2.14", false}, {"7.0.15", false},
		{"10.0.0", false}, {"5.99.99", true}, {"6", false}, {"", true}, {"6.0.0-rc1", false},
	} {
		if got := olderThan(tt.version, MinVersion); got != tt.want {
			t.Errorf("olderThan(%q, %s) = %v, want %v", tt.version, MinVersion, got, tt.want)
		}
	}
}

func TestInfoField(t *testing.T) {
	info := "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n"
	if v, ok := infoField(info, "redis_version"); !ok || v != "7.0.15" {
		t.Fatalf("infoField = %q, %v; want 7.0.15", v, ok)
	}
	if _, ok := infoField(info, "missing"); ok {
		t.Fatal("infoField found a missing field")
	}
}
