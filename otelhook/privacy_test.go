package otelhook_test

import (
	"fmt"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
	"github.com/transmute-go/transmute/transmutetest"
)

// spanText is everything a span carries as text: name, status,
// attributes, events and their attributes.
func spanText(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		fmt.Fprintln(&b, s.Name(), s.Status().Description)
		for _, a := range s.Attributes() {
			fmt.Fprintln(&b, a.Key, a.Value.AsString(), a.Value.AsStringSlice())
		}
		for _, e := range s.Events() {
			fmt.Fprintln(&b, e.Name)
			for _, a := range e.Attributes {
				fmt.Fprintln(&b, a.Key, a.Value.AsString())
			}
		}
	}
	return b.String()
}

// No value reaches a span or a metric, by default and with
// WithRecordError: span statuses and exception events are value-free.
func TestNoValuesInFailedSpans(t *testing.T) {
	tel := newTelemetry(t)
	transmutetest.FailWithSecret(t, tel.hook(otelhook.WithRecordError()))
	spans := tel.ended(t)
	text := spanText(spans)
	if strings.Contains(text, "ada.lovelace") {
		t.Fatalf("a span quotes the secret:\n%s", text)
	}
	failed := 0
	for _, s := range spans {
		if s.Status().Description != "" {
			failed++
		}
	}
	if failed < 9 || !strings.Contains(text, `field "born": not an RFC 3339 date-time`) || !strings.Contains(text, "exception") {
		t.Fatalf("%d failed spans; the statuses do not say what failed:\n%s", failed, text)
	}
	rm := tel.collect(t)
	if s := fmt.Sprintf("%v", rm); strings.Contains(s, "ada.lovelace") {
		t.Fatalf("a metric quotes the secret: %s", s)
	}
}

// With core.KeepValues the status is the error's whole text.
func TestKeepValuesKeepsTheErrorText(t *testing.T) {
	tel := newTelemetry(t)
	transmutetest.FailWithSecret(t, tel.hook(otelhook.WithRecordValues(core.KeepValues)))
	if text := spanText(tel.ended(t)); !strings.Contains(text, transmutetest.Secret) {
		t.Fatalf("with KeepValues the statuses hold no error text:\n%s", text)
	}
}
