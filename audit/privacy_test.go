package audit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// No value reaches the trail by default: error lines carry the errors'
// value-free text.
func TestNoValuesInErrorLines(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf)
	transmutetest.FailWithSecret(t, tr)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "ada.lovelace") {
		t.Fatalf("the trail quotes the secret:\n%s", out)
	}
	if n := strings.Count(out, `"status":"error"`); n < 9 || !strings.Contains(out, `not an RFC 3339 date-time`) {
		t.Fatalf("%d error lines, or they do not say what failed:\n%s", n, out)
	}

	buf.Reset()
	tr = audit.New(&buf, audit.WithValues(core.KeepValues))
	transmutetest.FailWithSecret(t, tr)
	_ = tr.Close()
	if !strings.Contains(buf.String(), transmutetest.Secret) {
		t.Fatalf("with KeepValues the error lines hold no error text:\n%s", buf.String())
	}
}
