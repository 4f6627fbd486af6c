package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// maxImageRSS is what the service may reach while it is sent image bombs
// (a -race build included): the bombs decoded would take gigabytes.
const maxImageRSS = 300 << 10 // kB

// The images outside testing used to take the service down, against the
// service as its own process: each upload is refused with its 400 and
// leaves nothing; the same files put into an already published pack's
// folder (as an older release could have left it) make ci and quality
// answer 400 with the file's name; the service stays up, in the same
// process, its peak RSS under 300 MB, and serves the pack once its files
// are whole again.
func TestImageBombs(t *testing.T) {
	dbURL := cluster.NewDatabase(t)
	dataDir := t.TempDir()
	settings := childSettings(t, dbURL, dataDir, 1)
	svc := startChild(t, settings)
	db := openDB(t, dbURL)
	pid := svc.pid()

	good := testkit.Encode(testkit.Stimulus(1, 0, 64), testkit.PNG)
	bomb := testkit.PNGBomb(100000, 100000)
	flat := testkit.FlatPNG(10000, 10000)
	cut := testkit.Truncated(good, len(good)/2)
	pair := func(ori, inv []byte) []testkit.PackFile {
		return []testkit.PackFile{{Name: "x_00001_ori.png", Data: ori}, {Name: "x_00001_inv.png", Data: inv}}
	}
	uploads := []struct {
		name  string
		files []testkit.PackFile
		want  string
	}{
		{"a 1.6 KB PNG saying 100000×100000", pair(bomb, bomb), "Image Too Large: x_00001_ori.png (100000×100000)"},
		{"a valid 10000×10000 pair", pair(flat, flat), "Image Too Large: x_00001_ori.png (10000×10000)"},
		{"a truncated PNG", pair(good, cut), "Unreadable Image: x_00001_inv.png: png: invalid format: not enough pixel data"},
	}
	for _, tc := range uploads {
		t.Run("upload "+tc.name, func(t *testing.T) {
			ct, body := testkit.UploadBody(t, testkit.PackFields("bombs", "1", "20", "29"), tc.files)
			if status, text := post(svc.Base+"/api/admin/create", ct, bytes.NewReader(body)); status != 400 || text != tc.want {
				t.Fatalf("got %d %q, want 400 %q", status, text, tc.want)
			}
			if n := count(t, db, `SELECT count(*) FROM pack`); n != 0 {
				t.Fatalf("%d pack rows", n)
			}
			for _, sub := range []string{"packs", ".staging"} {
				if got := entries(t, filepath.Join(dataDir, sub)); len(got) != 0 {
					t.Fatalf("%s holds %v", sub, got)
				}
			}
		})
	}

	// A pack as an older release published it: imported, statistics not
	// computed yet, one reply.
	id := importPack(t, settings, "older", pair(good, good))
	replyWithToken(t, svc.Base, "bombs-reply-0001")
	folder := filepath.Join(dataDir, "packs", "older")
	plants := []struct {
		name     string
		ori, inv []byte
		want     string
	}{
		{"a 1.6 KB PNG saying 100000×100000", bomb, bomb, "Image Too Large: x_00001_ori.png (100000×100000)"},
		{"a valid 10000×10000 pair", flat, flat, "Image Too Large: x_00001_ori.png (10000×10000)"},
		{"a truncated PNG", good, cut, "Unreadable Image: x_00001_inv.png: png: invalid format: not enough pixel data"},
	}
	for _, tc := range plants {
		t.Run("planted "+tc.name, func(t *testing.T) {
			testkit.WriteFiles(t, folder, pair(tc.ori, tc.inv))
			for _, path := range []string{"/api/admin/ci", "/api/admin/quality"} {
				if status, text := getText(t, fmt.Sprintf("%s%s?id=%d", svc.Base, path, id)); status != 400 || text != tc.want {
					t.Fatalf("%s: got %d %q, want 400 %q", path, status, text, tc.want)
				}
			}
		})
	}
	testkit.WriteFiles(t, folder, pair(good, good))
	for _, path := range []string{"/api/admin/ci", "/api/admin/quality"} {
		if status, text := getText(t, fmt.Sprintf("%s%s?id=%d", svc.Base, path, id)); status != 200 {
			t.Fatalf("%s of the mended pack: %d %.200q", path, status, text)
		}
	}
	select {
	case <-svc.exited:
		t.Fatalf("the service died:\n%s", svc.out.String())
	default:
	}
	if svc.pid() != pid {
		t.Fatal("the service was restarted")
	}
	if hwm := procStatusKB(t, pid, "VmHWM"); hwm > maxImageRSS {
		t.Errorf("peak RSS %d MB, want under %d MB", hwm>>10, maxImageRSS>>10)
	} else {
		t.Logf("peak RSS of the service: %d MB", hwm>>10)
	}
}

// kill -9 while a pack's statistics compute (they start as soon as it is
// uploaded) leaves a temp file; the restart removes it (its writer is
// dead: nothing holds its lock), and the statistics are computed again.
func TestKillDuringStatistics(t *testing.T) {
	dbURL := cluster.NewDatabase(t)
	dataDir := t.TempDir()
	const pairs = 60
	svc := startChild(t, childSettings(t, dbURL, dataDir, pairs))
	src := t.TempDir()
	pack, err := testkit.WriteRCPack(src, testkit.RCOptions{Size: 256, Pairs: pairs, Prefix: "slow", Seed: 3, DropNoise: true})
	if err != nil {
		t.Fatal(err)
	}
	var files []testkit.PackFile
	for _, p := range pack.Pairs {
		for _, path := range []string{p.Ori, p.Inv} {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, testkit.PackFile{Name: filepath.Base(path), Data: b})
		}
	}
	ct, body := testkit.UploadBody(t, testkit.PackFields("slow", "2", "20", "29"), files)
	if status, text := post(svc.Base+"/api/admin/create", ct, bytes.NewReader(body)); status != 200 {
		t.Fatalf("create: %d %s", status, text)
	}
	statsDir := filepath.Join(dataDir, "stats")
	temps := func() []string {
		var out []string
		for _, name := range entries(t, statsDir) {
			if results.IsTemp(name) {
				out = append(out, name)
			}
		}
		return out
	}
	waitFor(t, time.Minute, "the statistics to be computing", func() bool { return len(temps()) > 0 },
		func() string { return fmt.Sprint(entries(t, statsDir)) })
	svc.kill(t)
	if len(temps()) == 0 {
		t.Fatalf("the kill left no temp file (the computation ended first): %v", entries(t, statsDir))
	}
	svc.start(t)
	if got := temps(); len(got) != 0 {
		t.Fatalf("after the restart the stats folder still holds %v", got)
	}
	if status, text := getText(t, svc.Base+"/api/admin/quality?id=1"); status != 200 {
		t.Fatalf("quality after the restart: %d %.200q", status, text)
	}
	if got := entries(t, statsDir); len(got) != 1 || got[0] != "1.stats" {
		t.Fatalf("stats folder holds %v, want 1.stats", got)
	}
}

// importPack publishes a pack with `psyx pack import` (no statistics are
// computed) and returns its id.
func importPack(t *testing.T, settings map[string]string, name string, files []testkit.PackFile) int {
	t.Helper()
	src := t.TempDir()
	testkit.WriteFiles(t, src, files)
	cmd := exec.Command(psyxBin, "pack", "import", "--name", name, "--sex", "2", "--age-min", "20", "--age-max", "29", src)
	cmd.Env = os.Environ()
	for k, v := range settings {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var id int
	if _, serr := fmt.Sscanf(string(out), "Pack %d Added.", &id); err != nil || serr != nil {
		t.Fatalf("pack import: %v %s", err, out)
	}
	return id
}

// replyWithToken starts a run under the page's token and submits an
// answer to every pair with it, as the experiment page does.
func replyWithToken(t *testing.T, base, token string) {
	t.Helper()
	start := participant()
	start["token"] = token
	raw, _ := json.Marshal(start)
	status, text := post(base+"/api/reply/start", "application/json", bytes.NewReader(raw))
	if status != 200 {
		t.Fatalf("start: %d %s", status, text)
	}
	var run struct {
		PackID int         `json:"p_id"`
		Pairs  [][2]string `json:"pic_pairs"`
	}
	if err := json.Unmarshal([]byte(text), &run); err != nil {
		t.Fatal(err)
	}
	sub := participant()
	sub["p_id"], sub["token"] = run.PackID, token
	var answers []any
	for _, p := range run.Pairs {
		answers = append(answers, []any{"F", 0.5, p[0], p[1]})
	}
	sub["answers"] = answers
	raw, _ = json.Marshal(sub)
	if status, text := post(base+"/api/reply/submit", "application/json", bytes.NewReader(raw)); status != 200 {
		t.Fatalf("submit: %d %s", status, text)
	}
}

// getText is a GET's status and body; a transport error fails the test.
func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// procStatusKB reads one "Name: N kB" line of /proc/<pid>/status.
func procStatusKB(t *testing.T, pid int, name string) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", name, pid)
	return 0
}
