package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browserTimeout bounds one headless Chromium run.
const browserTimeout = 60 * time.Second

// chromium returns the path of a Chromium binary, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed, and CI must run the browser test of /docs (.ci/run installs it)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium); skipping the browser test of /docs")
	return ""
}

// renderDOM loads url in headless Chromium, with no network but loopback
// needed, and returns the DOM once the page's scripts have settled.
func renderDOM(t *testing.T, url string) string {
	t.Helper()
	bin := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-quic", "--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=10000", "--dump-dom", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("chromium did not finish within %v; stderr:\n%s", browserTimeout, tail(stderr.String()))
	}
	if err != nil {
		t.Fatalf("chromium: %v; stderr:\n%s", err, tail(stderr.String()))
	}
	return string(out)
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// TestSwaggerUIRendersInChromium loads /docs in a real browser, all of
// Swagger UI's assets coming from this server, and checks that every
// operation of the document is rendered.
func TestSwaggerUIRendersInChromium(t *testing.T) {
	chromium(t)
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true"})
	dom := renderDOM(t, s.URL+"/docs")
	if !strings.Contains(dom, `data-path="/api/v1/auth/login"`) {
		t.Fatalf("the rendered /docs does not list /api/v1/auth/login; DOM:\n%.3000s", dom)
	}
	k := loadContract(t)
	for path := range k.doc.Paths.Map() {
		if !strings.Contains(dom, `data-path="`+path+`"`) {
			t.Errorf("the rendered /docs does not list %s", path)
		}
	}
	if !strings.Contains(dom, "authorize") {
		t.Error("the rendered /docs has no Authorize button for bearerAuth")
	}
}

// tryItOutScript drives Swagger UI as a person would: it authorizes with
// the token, opens GET /api/v1/users/me, presses "Try it out" and
// "Execute", and writes the live response into #e2e-result.
const tryItOutScript = `<script>
(async function () {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const waitFor = async (what, find) => {
    for (let i = 0; i < 400; i++) {
      const el = find();
      if (el) return el;
      await sleep(25);
    }
    throw new Error("timed out waiting for " + what);
  };
  const report = (text) => {
    const p = document.createElement("pre");
    p.id = "e2e-result";
    p.textContent = text;
    document.body.appendChild(p);
  };
  const op = (sel) => document.querySelector("#operations-users-getMe " + sel);
  try {
    await waitFor("the getMe operation", () => op(".opblock-summary-control"));
    window.ui.preauthorizeApiKey("bearerAuth", "__TOKEN__");
    op(".opblock-summary-control").click();
    (await waitFor("Try it out", () => op(".try-out__btn"))).click();
    (await waitFor("Execute", () => op("button.execute"))).click();
    const status = await waitFor("the live response", () => op(".live-responses-table tbody .response-col_status"));
    const body = op(".live-responses-table tbody .response-col_description pre");
    report("status=" + status.textContent.trim() + "\nbody=" + (body ? body.textContent : ""));
  } catch (e) {
    report("error=" + e);
  }
})();
</script>
</body>`

// TestSwaggerUITryItOutWithBearerToken checks that "Try it out" in the
// served Swagger UI calls the running server with the Bearer token given
// to Authorize. The page is /docs as served, with a script appended that
// clicks through the operation.
func TestSwaggerUITryItOutWithBearerToken(t *testing.T) {
	chromium(t)
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true"})
	access, _ := apiClient{t, s.URL}.signup("browseruser")

	resp, err := http.Get(s.URL + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Contains(page, []byte("</body>")) {
		t.Fatalf("read /docs: %v: %.500s", err, page)
	}
	script := strings.Replace(tryItOutScript, "__TOKEN__", access, 1)
	driven := bytes.Replace(page, []byte("</body>"), []byte(script), 1)

	// The driven page is served beside the real server, on the same origin.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /docs-driven", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(driven)
	})
	mux.Handle("/", s.app.Handler())
	front := httptest.NewServer(mux)
	t.Cleanup(front.Close)

	dom := renderDOM(t, front.URL+"/docs-driven")
	m := regexp.MustCompile(`(?s)<pre id="e2e-result">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the driving script reported nothing; DOM:\n%.3000s", dom)
	}
	result := m[1]
	if !strings.HasPrefix(result, "status=200") {
		t.Fatalf("got %q, want status=200 from GET /api/v1/users/me", result)
	}
	if !strings.Contains(result, "browseruser") {
		t.Fatalf("got %q, want the profile of browseruser", result)
	}
}

// TestRedocRendersInChromium loads /redoc in a real browser with the ReDoc
// script served by this server (REDOC_SCRIPT_URL=file:PATH) and checks
// that the operations are rendered. The script is not in the repository:
// REDOC_TEST_SCRIPT names a redoc.standalone.js from the redoc npm package
// (.ci/run fetches one with npm pack).
func TestRedocRendersInChromium(t *testing.T) {
	chromium(t)
	script := os.Getenv("REDOC_TEST_SCRIPT")
	if script == "" {
		t.Skip("REDOC_TEST_SCRIPT is unset; set it to bundles/redoc.standalone.js of the redoc npm package to render /redoc in Chromium")
	}
	s := startServer(t, map[string]string{"DOCS_ENABLED": "true", "REDOC_SCRIPT_URL": "file:" + script})
	dom := renderDOM(t, s.URL+"/redoc")
	for _, want := range []string{"/api/v1/auth/login", "Log in with a username (or email) and password", "bearerAuth"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered /redoc lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%.3000s", dom)
	}
}
