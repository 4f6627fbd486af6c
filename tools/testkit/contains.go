package testkit

import (
	"strings"
	"testing"
)

// CheckContains fails t for each string of want that text lacks and each
// of notWant that it has, naming the string and showing the text.
func CheckContains(t testing.TB, text string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q in\n%s", w, text)
		}
	}
	for _, w := range notWant {
		if strings.Contains(text, w) {
			t.Errorf("has %q in\n%s", w, text)
		}
	}
}
