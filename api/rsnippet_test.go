package api_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// The README's R snippets for a pack Psyx made run as written: the files
// are the server's, under the names it gives them; R reads the parameters
// bit for bit and the base to its 16-bit precision; where rcicr is
// installed, rcicr's own CI of the pack equals Psyx's.
func TestRSnippet(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		t.Fatal("Rscript is needed (apt-get install r-base-core r-cran-png r-cran-jsonlite; scripts/test.sh does)")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	load, rcicr := snippet(t, string(readme), "load"), snippet(t, string(readme), "rcicr")

	clock := testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	e := newEnv(t, envOptions{pairs: 20, clock: clock})
	face := testkit.Encode(testkit.BaseImage(64), testkit.PNG)
	f := fields{"pack_name": "female20s", "sex": "2", "age_min": "20", "age_max": "29", "trials": "20", "img_size": "64", "seed": "3"}
	wantStatus(t, e.generate(t, "", f, "face.png", face), 200, "Pack 1 Added.")
	who := testkit.Person(1, 2, 25)
	st := e.start(t, who)
	clock.Advance(5 * time.Minute)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, 1, answersFor(st.PicPairs), st.Token)), 200, "Reply Submitted.")

	dir := t.TempDir()
	for _, path := range []string{"/api/admin/stimuli?id=1", "/api/admin/stimuli?id=1&format=csv", "/api/admin/stimuli?id=1&format=base",
		"/api/admin/download?id=1&format=csv", "/api/admin/ci?id=1&r_id=1&format=csv"} {
		r := e.get(t, path)
		m := regexp.MustCompile(`filename="([^"]+)"`).FindStringSubmatch(r.Header.Get("Content-Disposition"))
		if r.Status != 200 || m == nil {
			t.Fatalf("%s: %d %v", path, r.Status, r.Header)
		}
		if err := os.WriteFile(filepath.Join(dir, m[1]), []byte(r.Body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// What R must read: the first trial's parameters as Go has them (the
	// shortest decimals that read back as the same float64) and the base.
	lib := e.library(t, 20)
	gen, err := lib.ReadStimuli("female20s")
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	for _, v := range gen.Params[:4092] {
		first = append(first, strconv.FormatFloat(v, 'g', -1, 64))
	}
	var base strings.Builder
	for y := range 64 {
		for x := range 64 {
			if x > 0 {
				base.WriteByte(',')
			}
			base.WriteString(strconv.FormatFloat(gen.Base[y*64+x], 'g', -1, 64))
		}
		base.WriteByte('\n')
	}
	os.WriteFile(filepath.Join(dir, "want-first.txt"), []byte(strings.Join(first, "\n")+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "want-base.csv"), []byte(base.String()), 0o644)
	script := load + `
stopifnot(nrow(params) == 20, ncol(params) == 4092, img_size == 64, nrow(trials) > 0)
stopifnot(identical(params[1, ], as.numeric(readLines("want-first.txt"))))
stopifnot(max(abs(base - as.matrix(read.csv("want-base.csv", header = FALSE)))) <= 0.5 / 65535)
cat("loaded\n")
if (requireNamespace("rcicr", quietly = TRUE)) {
` + rcicr + `
  d <- max(abs(cis[["base_r_id_1"]]$ci - psyx))
  stopifnot(d < 1e-9)
  cat("rcicr:", d, "\n")
} else cat("rcicr: not installed\n")
`
	cmd := exec.Command(rscript, "--vanilla", "-e", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "loaded") {
		t.Fatalf("Rscript: %v\n%s", err, out)
	}
	t.Logf("R read Psyx's files as the README says; %s", regexp.MustCompile(`rcicr: [^\n]*`).FindString(string(out)))
}

// snippet is the R code block that follows <!-- r-snippet: name --> in the
// README.
func snippet(t *testing.T, readme, name string) string {
	t.Helper()
	m := regexp.MustCompile("(?s)<!-- r-snippet: " + name + " -->\n```r\n(.*?)```").FindStringSubmatch(readme)
	if m == nil {
		t.Fatalf("README has no r-snippet %q", name)
	}
	return m[1]
}
