package testkit

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// A random responder answers every pair once, in order, with F, J or a
// timeout and a time in [0.3, 1.3) s, as valid JSON; the same seed gives
// the same answers.
func TestRandomResponderAnswers(t *testing.T) {
	pairs := make([][2]string, 200)
	for i := range pairs {
		pairs[i] = [2]string{"p_" + string(rune('a'+i%26)) + "_ori.png", "p_\"q\"_inv.png"}
	}
	raw := RandomResponderAnswers(pairs, rand.New(rand.NewPCG(1, 2)))
	var got [][4]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(got) != len(pairs) {
		t.Fatalf("%d answers for %d pairs", len(got), len(pairs))
	}
	keys := map[any]int{}
	for i, a := range got {
		keys[a[0]]++
		rt, _ := a[1].(float64)
		if rt < 0.3 || rt >= 1.3 || a[2] != pairs[i][0] || a[3] != pairs[i][1] {
			t.Fatalf("answer %d: %v", i, a)
		}
	}
	if keys["F"] == 0 || keys["J"] == 0 || keys[" "] == 0 || len(keys) != 3 {
		t.Errorf("keys: %v", keys)
	}
	if again := RandomResponderAnswers(pairs, rand.New(rand.NewPCG(1, 2))); string(again) != string(raw) {
		t.Error("the same seed gave other answers")
	}
}
