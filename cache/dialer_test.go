package cache_test

import (
	"net"
	"time"
)

// dialer fails fast once a test has stopped its server.
func dialer() net.Dialer { return net.Dialer{Timeout: time.Second} }
