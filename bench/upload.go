package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// upload: a 300-pair pack of 500 KB files (~300 MB) through Nginx with the
// production site (basic auth, proxy_request_buffering off), as a
// researcher's browser sends it, then straight to the service; time and
// peak RSS of each, against cat + fsync of the same 600 files.
func (b *Bench) upload() error {
	say("upload: a 300-pair pack of ~500 KB files (~300 MB)")
	blob := testkit.PaddedJPEG(500 << 10) // a real JPEG's header, then filler
	blobPath, err := b.writeWorkFile("blob.jpg", blob)
	if err != nil {
		return err
	}
	var files []string
	for i := 1; i <= 300; i++ {
		files = append(files, fmt.Sprintf("%s=big_%05d_ori.jpg", blobPath, i), fmt.Sprintf("%s=big_%05d_inv.jpg", blobPath, i))
	}
	total := int64(len(files)) * int64(len(blob))

	viaNginx, err := b.uploadBig(b.st.BaseURL, files, []string{b.st.AdminUser, b.st.AdminPassword})
	if err != nil {
		return err
	}
	straight, err := b.uploadBig(b.base, files, nil)
	if err != nil {
		return err
	}
	cat, err := catAndSync(files, filepath.Join(b.work, "catdir"))
	if err != nil {
		return err
	}
	b.uploadRows(fmt.Sprintf("upload 300 pairs × 500 KB (%d MB) through Nginx (site config)", total>>20),
		"upload RSS through Nginx: before / peak", viaNginx, cat)
	b.uploadRows("the same upload straight to the service", "upload RSS straight: before / peak", straight, cat)
	b.row("remove of that pack (row + 600-file folder)", fmt.Sprintf("%.3f s", straight.remove.Seconds()), "", "")
	b.note("nginx with the site of psyx render-config nginx-site (as install.sh renders it) on %s, proxying to psyx", b.st.BaseURL)
	b.note("curl -u admin:PW -F pack_name=big -F sex=1 -F age_min=110 -F age_max=120 -F 'file=@blob.jpg;filename=big/big_NNNNN_ori.jpg' ... x600 %s/api/admin/create   (a 32×32 JPEG padded to 500 KB); then the same to %s directly", b.st.BaseURL, b.base)
	b.note("GET %s/api/admin/remove?id=ID   (the big pack goes again)", b.base)
	b.note("for each of the 600 files: cat blob.jpg > DIR/FILE; then sync DIR/*   (fsync of each file)")
	return b.uploadStimuli()
}

// uploadStimuli: a 300-pair pack of real stimuli, 512×512 grey PNGs with
// rcicr's noise (20 pairs made by testkit.WriteRCPack, cycled), straight to
// the service, against cat + fsync of the same files. Unlike the padded
// JPEGs above, every image takes real work to decode, and the service
// decodes every one before it publishes the pack.
func (b *Bench) uploadStimuli() error {
	say("upload: a 300-pair pack of 512×512 PNG stimuli")
	dir := filepath.Join(b.work, "stimuli")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pack, err := testkit.WriteRCPack(dir, testkit.RCOptions{Size: 512, Pairs: 20, Seed: 5, DropNoise: true})
	if err != nil {
		return err
	}
	var files []string
	var total int64
	for i := range 300 {
		p := pack.Pairs[i%len(pack.Pairs)]
		for side, path := range []string{p.Ori, p.Inv} {
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			total += info.Size()
			files = append(files, fmt.Sprintf("%s=real_%05d_%s.png", path, i+1, []string{"ori", "inv"}[side]))
		}
	}
	up, err := b.uploadBig(b.base, files, nil)
	if err != nil {
		return err
	}
	cat, err := catAndSync(files, filepath.Join(b.work, "catdir"))
	if err != nil {
		return err
	}
	b.uploadRows(fmt.Sprintf("upload 300 pairs of 512² PNG stimuli (%d MB), every image decoded, straight to the service", total>>20),
		"that upload's RSS: before / peak", up, cat)
	b.note("testkit.WriteRCPack(DIR, {Size: 512, Pairs: 20}): rcicr-style grey PNGs; curl -F ... -F 'file=@DIR/rc_000NN_ori.png;filename=big/real_NNNNN_ori.png' ... x600 %s/api/admin/create   (the 20 pairs cycled to 300); the same 600 files by cat + sync", b.base)
	return nil
}

// uploadRows adds an upload's time against cat + fsync of the same files
// (held to 1.5×) and its RSS before and at the peak (growth under 64 MB).
func (b *Bench) uploadRows(what, rssWhat string, r uploadResult, cat time.Duration) {
	b.row(what, fmt.Sprintf("%.3f s; cat + fsync of the files %.3f s", r.took.Seconds(), cat.Seconds()),
		"≤ 1.5× cat", ratio(r.took, cat)+" "+verdict(r.took*2 <= cat*3))
	b.row(rssWhat, fmt.Sprintf("%s / %s MB", mb(r.rss), mb(r.hwm)),
		"growth < 64 MB", mb(r.hwm-r.rss)+" MB "+verdict(r.hwm-r.rss < 64*1024))
}

type uploadResult struct {
	took, remove time.Duration
	rss, hwm     int64 // kB, before and at the peak
}

// uploadBig uploads the big pack to base, then removes it again (row and
// folder), so list still shows 100 packs.
func (b *Bench) uploadBig(base string, files []string, auth []string) (uploadResult, error) {
	var r uploadResult
	exec.Command("sync").Run() // start from clean page cache writeback
	r.rss = rssKB(b.psyxPID)
	if err := resetHWM(b.psyxPID); err != nil {
		return r, err
	}
	t0 := time.Now()
	id, err := b.uploadFiles(base, "big", 1, 110, 120, files, "big", auth)
	if err != nil {
		return r, err
	}
	r.took = time.Since(t0)
	r.hwm = hwmKB(b.psyxPID)
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/admin/remove?id=%d", base, id), nil)
	if err != nil {
		return r, err
	}
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	t0 = time.Now()
	resp, err := b.http.Do(req)
	if err != nil {
		return r, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.remove = time.Since(t0)
	if want := fmt.Sprintf("Pack %d Deleted.", id); string(body) != want {
		return r, fmt.Errorf("remove: %q", body)
	}
	return r, nil
}

// catAndSync is the physical limit of an upload: the same bytes written
// to the same number of files by cat, then each file fsynced (as the
// service does before the pack's row commits). files are "PATH" or
// "PATH=NAME", as uploadFiles takes them.
func catAndSync(files []string, dir string) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	names := make([]string, len(files))
	for i, f := range files {
		src, _, _ := strings.Cut(f, "=")
		names[i] = filepath.Join(dir, fmt.Sprintf("file_%05d", i))
		out, err := os.Create(names[i])
		if err != nil {
			return 0, err
		}
		cmd := exec.Command("cat", src)
		cmd.Stdout = out
		err = cmd.Run()
		out.Close()
		if err != nil {
			return 0, fmt.Errorf("cat: %w", err)
		}
	}
	if out, err := exec.Command("sync", names...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("sync: %w: %s", err, out)
	}
	return time.Since(t0), nil
}
