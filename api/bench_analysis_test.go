package api_test

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkAnalysis is the paper's statistics on the 300 × 512×512 pack
// with 100 replies: the reliability (1,000 split halves, ICC, leave-one-
// out) and the comparison of 50 against 50 replies (1,000 permutations),
// cold (a selection never asked for: one reply more left out each time)
// and cached, with how far the live heap and the process's RSS rose.
//
//	go test ./api -run '^$' -bench Analysis -benchtime 3x
func BenchmarkAnalysis(b *testing.B) {
	e, id := resultsBench(b, 100)
	var rids []int64
	if err := e.Store.DB().Select(&rids, `SELECT r_id FROM reply WHERE p_id = $1 ORDER BY r_id`, id); err != nil {
		b.Fatal(err)
	}
	list := func(ids []int64) string {
		s := make([]string, len(ids))
		for i, r := range ids {
			s[i] = strconv.FormatInt(r, 10)
		}
		return strings.Join(s, ",")
	}
	n := 0
	measure := func(b *testing.B, path func() string) {
		rss := hwmKB()
		heap := startHeapPeak()
		for b.Loop() {
			mustOK(b, e.serve(b, http.MethodGet, path(), "", nil), path())
		}
		b.ReportMetric(heap.Stop(), "live-heap-MB")
		b.ReportMetric(float64(hwmKB()-rss)/1024, "rss-growth-MB")
	}
	b.Run("reliability-cold", func(b *testing.B) {
		measure(b, func() string {
			n++
			return fmt.Sprintf("/api/admin/reliability?id=%d&exclude=%s", id, list(rids[:n%50+1]))
		})
	})
	b.Run("reliability-cached", func(b *testing.B) {
		path := fmt.Sprintf("/api/admin/reliability?id=%d", id)
		mustOK(b, e.serve(b, http.MethodGet, path, "", nil), path)
		measure(b, func() string { return path })
	})
	b.Run("compare-cold", func(b *testing.B) {
		measure(b, func() string {
			n++
			return fmt.Sprintf("/api/admin/compare?id=%d&a_r=%s&b_r=%s&exclude=%d", id, list(rids[:50]), list(rids[50:]), rids[n%100])
		})
	})
	b.Run("compare-cached", func(b *testing.B) {
		path := fmt.Sprintf("/api/admin/compare?id=%d&a_r=%s&b_r=%s", id, list(rids[:50]), list(rids[50:]))
		mustOK(b, e.serve(b, http.MethodGet, path, "", nil), path)
		measure(b, func() string { return path })
	})
}

// hwmKB is this process's peak RSS so far (VmHWM), in KB.
func hwmKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}
