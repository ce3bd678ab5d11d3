package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// listeningAddr reads the "listening" log line written by serve.
type logWatcher struct {
	lines chan string
}

func (l *logWatcher) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		select {
		case l.lines <- line:
		default:
		}
	}
	return len(p), nil
}

func (l *logWatcher) addr(t *testing.T) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case line := <-l.lines:
			if strings.Contains(line, "msg=listening") {
				_, rest, _ := strings.Cut(line, "addr=")
				addr, _, _ := strings.Cut(rest, " ")
				return strings.Replace(addr, "[::]", "127.0.0.1", 1)
			}
		case <-deadline:
			t.Fatal("server did not log its listening address")
		}
	}
}

func TestGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/slow" {
			io.WriteString(w, "fast")
			return
		}
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	cfg := &config{Port: 0, ShutdownTimeout: 10 * time.Second}
	logs := &logWatcher{lines: make(chan string, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slow, slog.New(slog.NewTextHandler(logs, nil))) }()
	addr := logs.addr(t)

	type result struct {
		body string
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		resc <- result{string(b), err}
	}()
	<-started
	cancel() // what SIGTERM does in main
	// New connections are refused once shutdown has begun.
	waitRefused(t, addr)
	close(release)
	res := <-resc
	if res.err != nil || res.body != "finished" {
		t.Fatalf("in-flight request: body %q, err %v; want %q", res.body, res.err, "finished")
	}
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v, want nil", err)
	}
}

func waitRefused(t *testing.T, addr string) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	for range 200 {
		resp, err := client.Get("http://" + addr + "/other")
		if err != nil {
			return
		}
		resp.Body.Close()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("server still accepts new connections after shutdown began")
}
