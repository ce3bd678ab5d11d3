package main

import (
	"fmt"
	"net"
	"net/url"
)

// loopbackTarget parses a target URL and refuses anything that is not a
// plain http URL on a loopback address: the generator must never load a
// host other than this machine.
func loopbackTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("target %q: only http:// is supported", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("target %q: not a loopback address (use 127.0.0.1 or ::1)", raw)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("target %q: a port is required", raw)
	}
	u.Host = net.JoinHostPort(host, u.Port())
	return u, nil
}
