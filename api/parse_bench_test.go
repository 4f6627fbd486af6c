package api

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/trials"
)

// BenchmarkParseSubmit is the service's CPU for reading one 300-answer
// submit body, without HTTP or the database: the part the JSON tokenizer
// decides.
func BenchmarkParseSubmit(b *testing.B) {
	pairs := make([]model.Pair, 300)
	answers := make([]any, 300)
	for i := range pairs {
		pairs[i] = model.Pair{fmt.Sprintf("female20s_%05d_ori.jpg", i+1), fmt.Sprintf("female20s_%05d_inv.jpg", i+1)}
		answers[i] = []any{"F", 0.734, pairs[i][1], pairs[i][0]}
	}
	body, err := json.Marshal(map[string]any{"name": "홍길동", "email": "hong@example.com", "no": "2020123",
		"sex": 2, "age": 25, "phone": "010-1234-5678", "p_id": 1, "token": "bench-token-0001", "answers": answers})
	if err != nil {
		b.Fatal(err)
	}
	rules := Rules{Name: regexp.MustCompile(`^[가-힣]{2,}$`), Phone: regexp.MustCompile(`^\d{3}-\d{4}-\d{4}$`)}
	pack := model.NewPackFiles(model.Pack{ID: 1, Size: 300}, pairs)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		o, err := decodeObject(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rules.participant(o); err != nil {
			b.Fatal(err)
		}
		list, err := trials.Parse(o["answers"], pack, len(pairs))
		if err != nil {
			b.Fatal(err)
		}
		if err := list.EachPairOnce(len(pairs)); err != nil {
			b.Fatal(err)
		}
	}
}
