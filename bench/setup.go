package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/psyx-lab/psyx/tools/testkit"
)

const person = `"name":"홍길동","email":"hong@example.com","no":"2020123","sex":2,"age":25,"phone":"010-1234-5678"`

// setup makes the data every scenario uses: a 300-pair pack uploaded
// through the API (women 20-29, the participants'), two 300-pair packs and
// 97 one-pair packs by `psyx pack import` (so list shows 100), 1,000
// replies of 300 answers inserted by SQL (the download scenario adds
// 10,000 more), and the bodies of start, submit and progress.
func (b *Bench) setup() error {
	say("setup: packs and replies")
	stim, stim1 := filepath.Join(b.work, "stim"), filepath.Join(b.work, "stim1")
	if err := writeStimuli(stim, "face", 300); err != nil {
		return err
	}
	if err := writeStimuli(stim1, "one", 1); err != nil {
		return err
	}
	var err error
	if b.mainID, err = b.uploadDir(b.base, "female20s", 2, 20, 29, stim, "faces", nil); err != nil {
		return err
	}
	b.note("curl -F pack_name=female20s -F sex=2 -F age_min=20 -F age_max=29 -F file=@... x600 %s/api/admin/create", b.base)
	if b.dl1kID, err = b.importPack("dl1k", 1, 100, 104, stim, 300); err != nil {
		return err
	}
	if b.dl10kID, err = b.importPack("dl10k", 1, 105, 109, stim, 300); err != nil {
		return err
	}
	// Men 0..48 and women 30..77, one year each.
	for a := 0; a <= 48; a++ {
		if _, err := b.importPack(fmt.Sprintf("m%d", a), 1, a, a, stim1, 1); err != nil {
			return err
		}
	}
	for a := 30; a <= 77; a++ {
		if _, err := b.importPack(fmt.Sprintf("f%d", a), 2, a, a, stim1, 1); err != nil {
			return err
		}
	}
	b.note("PSYX_PAIRS_PER_PACK=1 ./psyx pack import --name mNN --sex S --age-min A --age-max A DIR   (x97), ./psyx pack import ... (dl1k, dl10k: 300 pairs)")
	if err := b.writeBodies(); err != nil {
		return err
	}
	b.makeServed()
	// A real submit of a run made as the submit scenario makes them: the
	// body is valid, and its stored answers are the JSONB every inserted
	// row gets.
	if err := b.makeRuns(`'bench-setup-' || i`, 1, 1); err != nil {
		return err
	}
	got, err := b.post("/api/reply/submit", strings.Replace(b.readWork(b.submitBody), "TOKENMARK", "bench-setup-1", 1))
	if err != nil || got != "Reply Submitted." {
		return fmt.Errorf("submit: %q %v", got, err)
	}
	if err := b.insertReplies(b.dl1kID, 999); err != nil { // with the real submit: 1,000
		return err
	}
	b.note("psql: INSERT INTO reply (...) SELECT ..., :'answers'::jsonb FROM generate_series(1, N)  (N = 1000, later 10000); VACUUM ANALYZE")
	return nil
}

// insertReplies adds n replies of the 300 answers to a pack by SQL.
func (b *Bench) insertReplies(id, n int) error {
	if _, err := b.st.DB.Exec(`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers)
		SELECT $1, '홍길동', 'hong@example.com', '2020123', 1, 102, '010-1234-5678', $2::jsonb
		FROM generate_series(1, $3)`, id, b.answers, n); err != nil {
		return fmt.Errorf("insert replies: %w", err)
	}
	if _, err := b.st.DB.Exec(`VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// writeStimuli writes small real JPEGs: the service reads every image's
// header for its width and height.
func writeStimuli(dir, prefix string, pairs int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 1; i <= pairs; i++ {
		for side, kind := range []string{"ori", "inv"} {
			img := testkit.Encode(testkit.Stimulus(i, side, 32), testkit.JPEG)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s_%05d_%s.jpg", prefix, i, kind)), img, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeBodies makes the start body and the submit body (with TOKENMARK
// where each request's token goes): the person, and 300 answers (F, J and
// timeouts), ~15 KB.
func (b *Bench) writeBodies() error {
	keys := []string{"F", "J", " "}
	var a strings.Builder
	a.WriteString("[")
	for i := 1; i <= 300; i++ {
		if i > 1 {
			a.WriteString(",")
		}
		fmt.Fprintf(&a, `["%s",0.%d%d,"face_%05d_ori.jpg","face_%05d_inv.jpg"]`, keys[i%3], i%7+3, i%10, i, i)
	}
	a.WriteString("]")
	b.answers = a.String()
	b.startBody, b.submitBody = filepath.Join(b.work, "start.json"), filepath.Join(b.work, "submit.json")
	submit := fmt.Sprintf(`{%s,"p_id":%d,"answers":%s,"token":"TOKENMARK"}`, person, b.mainID, b.answers)
	b.submitBytes = len(submit) + 8
	// Each start is a new participant (PERSONMARK: their student number and
	// e-mail), so each one creates a run, as a class does.
	start := `{"name":"홍길동","email":"PERSONMARK@example.com","no":"PERSONMARK","sex":2,"age":25,"phone":"010-1234-5678"}`
	if err := os.WriteFile(b.startBody, []byte(start), 0o644); err != nil {
		return err
	}
	return os.WriteFile(b.submitBody, []byte(submit), 0o644)
}

func (b *Bench) readWork(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

// post sends a JSON body to the service and returns the answer's body.
func (b *Bench) post(path, body string) (string, error) {
	resp, err := b.http.Post(b.base+path, "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return string(data), err
}

var packAdded = regexp.MustCompile(`^Pack (\d+) Added\.`)

// importPack is `psyx pack import`, the way a maintainer adds a big pack.
func (b *Bench) importPack(name string, sex, ageMin, ageMax int, dir string, pairs int) (int, error) {
	cmd := exec.Command(b.psyxBin, "pack", "import", "--name", name, "--sex", strconv.Itoa(sex),
		"--age-min", strconv.Itoa(ageMin), "--age-max", strconv.Itoa(ageMax), dir)
	cmd.Env = append(os.Environ(), "PSYX_DATABASE_URL="+b.st.DatabaseURL, "PSYX_DATA_DIR="+b.st.DataDir,
		"PSYX_PAIRS_PER_PACK="+strconv.Itoa(pairs))
	out, err := cmd.CombinedOutput()
	m := packAdded.FindSubmatch(out)
	if err != nil || m == nil {
		return 0, fmt.Errorf("pack import %s: %v\n%s", name, err, out)
	}
	return strconv.Atoi(string(m[1]))
}

// uploadDir posts every file of dir as a browser's folder upload (part
// names folder/FILE), streamed, with basic auth when user is given.
func (b *Bench) uploadDir(base, name string, sex, ageMin, ageMax int, dir, folder string, auth []string) (int, error) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	files := make([]string, len(names))
	for i, e := range names {
		files[i] = filepath.Join(dir, e.Name())
	}
	return b.uploadFiles(base, name, sex, ageMin, ageMax, files, folder, auth)
}

// uploadFiles posts files as a browser's folder upload with curl, as a
// researcher's browser sends it: one part per file, named folder/BASE, or
// folder/NAME for a file given as "PATH=NAME"; with basic auth when auth is
// user and password.
func (b *Bench) uploadFiles(base, name string, sex, ageMin, ageMax int, files []string, folder string, auth []string) (int, error) {
	args := []string{"-sS", "-F", "pack_name=" + name, "-F", "sex=" + strconv.Itoa(sex),
		"-F", "age_min=" + strconv.Itoa(ageMin), "-F", "age_max=" + strconv.Itoa(ageMax)}
	if len(auth) == 2 {
		args = append(args, "-u", auth[0]+":"+auth[1])
	}
	for _, f := range files {
		path, part, ok := strings.Cut(f, "=")
		if !ok {
			part = filepath.Base(path)
		}
		args = append(args, "-F", "file=@"+path+";filename="+folder+"/"+part)
	}
	out, err := exec.Command("curl", append(args, base+"/api/admin/create")...).CombinedOutput()
	m := packAdded.FindSubmatch(bytes.TrimSpace(out))
	if err != nil || m == nil {
		return 0, fmt.Errorf("create %s via %s: %v %s", name, base, err, out)
	}
	return strconv.Atoi(string(m[1]))
}
