package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// resultsBench is a 300-pair pack of 512×512 rcicr-style PNGs with
// replies from random responders, its statistics computed (untimed).
func resultsBench(b *testing.B, replies int) (*benchEnv, int) {
	b.Helper()
	e := newBenchEnv(b, 300)
	dir := filepath.Join(e.DataDir, "packs", "big")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	pack, err := testkit.WriteRCPack(dir, testkit.RCOptions{Size: 512, Pairs: 300, Prefix: "big", Seed: 1, DropNoise: true})
	if err != nil {
		b.Fatal(err)
	}
	pairs := make([]model.Pair, len(pack.Pairs))
	for i, p := range pack.Pairs {
		pairs[i] = model.Pair{filepath.Base(p.Ori), filepath.Base(p.Inv)}
	}
	id, err := e.Store.CreatePack(context.Background(), model.NewPack{Name: "big", Sex: 2, AgeMin: 20, AgeMax: 29, Pairs: pairs}, nopFolder{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range replies {
		e.insertReply(b, id, pairs, rng)
	}
	mustOK(b, e.serve(b, http.MethodGet, fmt.Sprintf("/api/admin/quality?id=%d", id), "", nil), "compute the statistics")
	return e, id
}

// insertReply stores one random responder's reply (10% timeouts).
func (e *benchEnv) insertReply(tb testing.TB, id int, pairs []model.Pair, rng *rand.Rand) {
	tb.Helper()
	raw := testkit.RandomResponderAnswers(pairs, rng)
	if _, err := e.Store.DB().Exec(`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers)
VALUES ($1, '홍길동', 'hong@example.com', '2020123', 2, 25, '010-1234-5678', $2)`, id, string(raw)); err != nil {
		tb.Fatal(err)
	}
}

// nopFolder publishes nothing: the benchmark wrote the files in place.
type nopFolder struct{}

func (nopFolder) Publish(string) error  { return nil }
func (nopFolder) Withdraw(string) error { return nil }

// BenchmarkResults is the results endpoints on the 300 × 512×512 pack with
// 1,000 replies: the group CI as a PNG (cold: a new reply each time, so
// the cache never holds it; cached: the same replies), one reply's CI, and
// the quality table with 1,000 infoVals (cold: a fresh service each time).
//
//	go test ./api -run '^$' -bench Results -benchtime 5x
func BenchmarkResults(b *testing.B) {
	e, id := resultsBench(b, 1000)
	rng := rand.New(rand.NewPCG(3, 4))
	p, err := e.Store.PackFiles(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	group := fmt.Sprintf("/api/admin/ci?id=%d", id)
	b.Run("group-cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			e.insertReply(b, id, p.Pairs, rng)
			b.StartTimer()
			mustOK(b, e.serve(b, http.MethodGet, group, "", nil), "group CI")
		}
	})
	b.Run("group-cached", func(b *testing.B) {
		mustOK(b, e.serve(b, http.MethodGet, group, "", nil), "group CI")
		for b.Loop() {
			mustOK(b, e.serve(b, http.MethodGet, group, "", nil), "group CI")
		}
	})
	b.Run("reply", func(b *testing.B) {
		for b.Loop() {
			mustOK(b, e.serve(b, http.MethodGet, fmt.Sprintf("/api/admin/ci?id=%d&r_id=%d", id, 1+rng.IntN(1000)), "", nil), "reply CI")
		}
	})
	b.Run("quality-cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			f := e.fresh(b)
			b.StartTimer()
			mustOK(b, f.serve(b, http.MethodGet, fmt.Sprintf("/api/admin/quality?id=%d", id), "", nil), "quality")
		}
	})
	b.Run("quality-warm", func(b *testing.B) {
		for b.Loop() {
			mustOK(b, e.serve(b, http.MethodGet, fmt.Sprintf("/api/admin/quality?id=%d", id), "", nil), "quality")
		}
	})
}
