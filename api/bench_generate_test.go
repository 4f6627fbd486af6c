package api_test

import (
	"bytes"
	"image"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/stimuli"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// The brief's bounds on making a pack of 300 pairs of 512² sinusoid noise:
// at most genMaxSeconds on the lab's two cores, and the process growing by
// at most genMaxGrowthMB (which rules out holding the 600 images).
const (
	genPairs       = 300
	genSize        = 512
	genMaxSeconds  = 20
	genMaxGrowthMB = 300
)

// BenchmarkGenerate300x512: POST /api/admin/generate through the handler,
// on a real PostgreSQL and real folders, for a pack of 300 pairs of 512²
// (rcicr's defaults: sinusoid, 5 scales) from a 512² colour face. Reports
// the seconds a pack, the peak growth of the resident set over the
// request, and the wall time a pair beside its floor: encoding the same
// pair's two PNGs and writing them synced, timed one pair after another
// from the pack's own images and divided by GOMAXPROCS (the workers
// Generate uses). Fails past the bounds above.
func BenchmarkGenerate300x512(b *testing.B) {
	e := newBenchEnv(b, genPairs)
	face := testkit.Encode(testkit.BaseImage(genSize), testkit.PNG)
	bodies := make([][]byte, b.N)
	var ct string
	for i := range bodies {
		fields := append(testkit.PackFields("g"+strconv.Itoa(i), strconv.Itoa(1+i%2), strconv.Itoa(i/2), strconv.Itoa(i/2)),
			testkit.Field{Name: "seed", Value: strconv.Itoa(i)})
		ct, bodies[i] = testkit.GenerateBody(b, fields, "face.png", face)
	}
	runtime.GC()
	rss := startRSSPeak()
	b.ResetTimer()
	for i := range b.N {
		mustOK(b, e.serve(b, http.MethodPost, "/api/admin/generate", ct, bodies[i]), "generate")
	}
	b.StopTimer()
	growth := rss.Stop()
	perPack := b.Elapsed().Seconds() / float64(b.N)
	floor := generateFloor(b, filepath.Join(e.DataDir, "packs", "g0"), "g0")
	perPair := perPack / genPairs
	b.ReportMetric(perPack, "s/pack")
	b.ReportMetric(1e3*perPair, "ms/pair")
	b.ReportMetric(1e3*floor.Seconds(), "ms/pair-floor")
	b.ReportMetric(growth, "MB-rss-growth")
	b.Logf("%d pairs of %d² in %.1f s: %.1f ms a pair, of which encoding and writing the PNGs alone take %.1f ms (%.0f%%); RSS grew %.0f MB",
		genPairs, genSize, perPack, 1e3*perPair, 1e3*floor.Seconds(), 100*floor.Seconds()/perPair, growth)
	if perPack > genMaxSeconds {
		b.Errorf("a pack took %.1f s, bound %d s", perPack, genMaxSeconds)
	}
	if growth > genMaxGrowthMB {
		b.Errorf("the resident set grew by %.0f MB, bound %d MB", growth, genMaxGrowthMB)
	}
}

// generateFloor is the wall time a pair's PNGs need at least: for each
// pair of the pack in dir, its two images (decoded from the pack, not
// timed) encoded as Generate encodes them and written synced, timed; the
// sum over the pairs, divided by the pairs and by GOMAXPROCS.
func generateFloor(b *testing.B, dir, name string) time.Duration {
	b.Helper()
	out := b.TempDir()
	enc := stimuli.NewPNGEncoder()
	var buf bytes.Buffer
	var spent, encoding time.Duration
	for pair := 1; pair <= genPairs; pair++ {
		for side := range 2 {
			file := packs.GeneratedFileName(name, pair, side)
			data, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				b.Fatal(err)
			}
			img, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			began := time.Now()
			buf.Reset()
			if err := enc.Encode(&buf, img); err != nil {
				b.Fatal(err)
			}
			encoding += time.Since(began)
			if err := writeSyncedFile(filepath.Join(out, file), buf.Bytes()); err != nil {
				b.Fatal(err)
			}
			spent += time.Since(began)
		}
	}
	per := time.Duration(genPairs * runtime.GOMAXPROCS(0))
	b.ReportMetric(1e3*(encoding/per).Seconds(), "ms/pair-encode")
	return spent / per
}

func writeSyncedFile(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rssPeak samples the resident set (/proc/self/statm) while a benchmark
// runs.
type rssPeak struct {
	stop       chan struct{}
	wg         sync.WaitGroup
	base, peak atomic.Uint64
}

func startRSSPeak() *rssPeak {
	r := &rssPeak{stop: make(chan struct{})}
	r.base.Store(testkit.ResidentBytes())
	r.wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if v := testkit.ResidentBytes(); v > r.peak.Load() {
				r.peak.Store(v)
			}
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
		}
	})
	return r
}

// Stop ends the sampling and returns, in MB, how far the resident set rose
// above where it was at the start.
func (r *rssPeak) Stop() float64 {
	close(r.stop)
	r.wg.Wait()
	if p := testkit.ResidentBytes(); p > r.peak.Load() {
		r.peak.Store(p)
	}
	return float64(r.peak.Load()-min(r.base.Load(), r.peak.Load())) / 1e6
}
