package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection driven by one worker: it
// writes a request, reads the whole response and reuses the connection
// until the server closes it or an I/O error occurs, then dials anew.
type conn struct {
	addr    string
	local   net.Addr // source address, or nil for the kernel's choice
	timeout time.Duration
	c       net.Conn
	br      *bufio.Reader
	header  http.Header // the last response's header
}

// roundTrip sends req (a complete HTTP/1.1 request) and returns the status
// and, when keepBody, the body. Any error is a socket error: the connection
// is closed and the next call dials again.
func (c *conn) roundTrip(req []byte, keepBody bool) (int, []byte, error) {
	if c.c == nil {
		d := net.Dialer{Timeout: c.timeout, LocalAddr: c.local}
		nc, err := d.Dial("tcp", c.addr)
		if err != nil {
			return 0, nil, fmt.Errorf("dial: %w", err)
		}
		c.c, c.br = nc, bufio.NewReaderSize(nc, 16<<10)
	}
	c.c.SetDeadline(time.Now().Add(c.timeout))
	if _, err := c.c.Write(req); err != nil {
		c.close()
		return 0, nil, fmt.Errorf("write: %w", err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.close()
		return 0, nil, fmt.Errorf("read: %w", err)
	}
	var body []byte
	if keepBody {
		body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	c.header = resp.Header
	if err != nil {
		c.close()
		return 0, nil, fmt.Errorf("read body: %w", err)
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, body, nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.br = nil, nil
	}
}
