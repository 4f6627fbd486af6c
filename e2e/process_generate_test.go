package e2e

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// generateForm is a generate request for a 300-pair pack named name from a
// face of side pixels.
func generateForm(t *testing.T, name string, side int, extra ...testkit.Field) (string, []byte) {
	t.Helper()
	fields := append(testkit.PackFields(name, "2", "20", "29"), extra...)
	return testkit.GenerateBody(t, fields, "face.png", testkit.Encode(testkit.BaseImage(side), testkit.PNG))
}

// kill -9 while a pack is being generated: no pack row, no served folder;
// the next start sweeps the half-written staging folder, and the name and
// range are free.
func TestKillDuringGenerate(t *testing.T) {
	dbURL := cluster.NewDatabase(t)
	dataDir := t.TempDir()
	svc := startChild(t, childSettings(t, dbURL, dataDir, 300))
	db := openDB(t, dbURL)

	ct, body := generateForm(t, "gen", 512, testkit.Field{Name: "seed", Value: "1"})
	result := make(chan string, 1)
	go func() {
		status, text := post(svc.Base+"/api/admin/generate", ct, bytes.NewReader(body))
		result <- fmt.Sprint(status, " ", text)
	}()
	staging := filepath.Join(dataDir, ".staging")
	// Half-way: the stimuli files and some pairs written, not all 600 images.
	written := func() int {
		n := 0
		for _, d := range entries(t, staging) {
			n = max(n, len(entries(t, filepath.Join(staging, d))))
		}
		return n
	}
	waitFor(t, 2*time.Minute, "the generation under way", func() bool { return written() >= 3+20 },
		func() string { return fmt.Sprintf("%d files staged", written()) })
	svc.kill(t)
	if r := <-result; strings.HasPrefix(r, "200") {
		t.Fatalf("a generation killed half-way succeeded: %s", r)
	}
	if n := written(); n >= 3+600 {
		t.Fatalf("the kill came after the last image (%d files staged)", n)
	}
	if n := count(t, db, `SELECT count(*) FROM pack`); n != 0 {
		t.Fatalf("%d pack rows after the kill", n)
	}
	if got := entries(t, filepath.Join(dataDir, "packs")); len(got) != 0 {
		t.Fatalf("served folders after the kill: %v", got)
	}

	svc.start(t)
	if got := entries(t, staging); len(got) != 0 {
		t.Fatalf("staging after restart: %v", got)
	}
	// The same name and range, smaller images so the test stays quick.
	ct, body = generateForm(t, "gen", 64)
	if status, text := post(svc.Base+"/api/admin/generate", ct, bytes.NewReader(body)); status != 200 || text != "Pack 1 Added." {
		t.Fatalf("generate after the restart: %d %s", status, text)
	}
	if got := entries(t, filepath.Join(dataDir, "packs", "gen")); len(got) != 3+600 {
		t.Fatalf("the new pack has %d files", len(got))
	}
}
