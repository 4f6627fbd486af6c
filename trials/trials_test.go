package trials

import (
	"slices"
	"testing"

	"github.com/psyx-lab/psyx/model"
)

func testPack() *model.PackFiles {
	return model.NewPackFiles(model.Pack{ID: 1, Size: 2},
		[]model.Pair{{"x_00001_ori.jpg", "x_00001_inv.jpg"}, {"x_00002_ori.jpg", "x_00002_inv.jpg"}})
}

// What a trial says: the chosen file, rcicr's response, the pair.
func TestTrialOutcome(t *testing.T) {
	pack := testPack()
	tests := []struct {
		name     string
		answers  string
		response []int8
		csv      [][]string
	}{
		{"ori left, F", `[["F",0.734,"x_00001_ori.jpg","x_00001_inv.jpg"]]`, []int8{1},
			[][]string{{"1", "F", "0.734", "x_00001_ori.jpg", "x_00001_inv.jpg", "ori", "1"}}},
		{"ori left, J", `[["J",1.5,"x_00002_ori.jpg","x_00002_inv.jpg"]]`, []int8{-1},
			[][]string{{"2", "J", "1.5", "x_00002_ori.jpg", "x_00002_inv.jpg", "inv", "-1"}}},
		{"inv left, F", `[["F",2,"x_00002_inv.jpg","x_00002_ori.jpg"]]`, []int8{-1},
			[][]string{{"2", "F", "2", "x_00002_inv.jpg", "x_00002_ori.jpg", "inv", "-1"}}},
		{"inv left, J", `[["J",0.2,"x_00001_inv.jpg","x_00001_ori.jpg"]]`, []int8{1},
			[][]string{{"1", "J", "0.2", "x_00001_inv.jpg", "x_00001_ori.jpg", "ori", "1"}}},
		{"a timeout", `[[" ",3,"x_00001_inv.jpg","x_00001_ori.jpg"]]`, []int8{0},
			[][]string{{"1", " ", "3", "x_00001_inv.jpg", "x_00001_ori.jpg", "", ""}}},
		{"as PostgreSQL prints it", `[["F", 0.5, "x_00001_ori.jpg", "x_00001_inv.jpg"], ["J", 1, "x_00002_inv.jpg", "x_00002_ori.jpg"]]`,
			[]int8{1, 1}, [][]string{
				{"1", "F", "0.5", "x_00001_ori.jpg", "x_00001_inv.jpg", "ori", "1"},
				{"2", "J", "1", "x_00002_inv.jpg", "x_00002_ori.jpg", "ori", "1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := Decode([]byte(tc.answers), pack)
			if err != nil {
				t.Fatal(err)
			}
			for i, tr := range ts {
				if got := tr.Response(); got != tc.response[i] {
					t.Errorf("trial %d response %d, want %d", i, got, tc.response[i])
				}
				if got := CSVFields(nil, tr, pack, func(s string) string { return s }); !slices.Equal(got, tc.csv[i]) {
					t.Errorf("trial %d csv %q, want %q", i, got, tc.csv[i])
				}
			}
		})
	}
}

// Parse refuses every malformed answer with the reason and the trial.
func TestParseRefuses(t *testing.T) {
	pack := testPack()
	ok := `["F",0.5,"x_00001_ori.jpg","x_00001_inv.jpg"]`
	tests := []struct {
		name    string
		answers string
		max     int
		reason  model.Reason
		values  []any
	}{
		{"not an array", `{}`, 2, NotAnArray, nil},
		{"too many", `[` + ok + `,` + ok + `]`, 1, TooManyAnswers, []any{1}},
		{"three parts", `[` + ok + `,["F",1,"x_00001_ori.jpg"]]`, 2, BadShape, []any{2}},
		{"bad key", `[["f",1,"x_00001_ori.jpg","x_00001_inv.jpg"]]`, 2, BadKey, []any{1}},
		{"rt as text", `[["F","1","x_00001_ori.jpg","x_00001_inv.jpg"]]`, 2, RTNotANumber, []any{1}},
		{"rt with an exponent", `[["F",1e0,"x_00001_ori.jpg","x_00001_inv.jpg"]]`, 2, RTTooLong, []any{1, MaxRTChars}},
		{"rt too slow", `[["F",60.001,"x_00001_ori.jpg","x_00001_inv.jpg"]]`, 2, RTOutOfRange, []any{1, MaxRT}},
		{"file not text", `[["F",1,1,"x_00001_inv.jpg"]]`, 2, FilesNotStrings, []any{1}},
		{"two oris", `[["F",1,"x_00001_ori.jpg","x_00001_ori.jpg"]]`, 2, NotAPair, []any{1}},
		{"files of two pairs", `[["F",1,"x_00001_ori.jpg","x_00002_inv.jpg"]]`, 2, NotAPair, []any{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.answers), pack, tc.max)
			wantFail(t, err, tc.reason, tc.values...)
		})
	}
}

// A submit answers each pair once; progress and submit answer the run's
// trials in the order and on the sides they were shown.
func TestListChecks(t *testing.T) {
	pack := testPack()
	list := func(s string) *List {
		t.Helper()
		l, err := Parse([]byte(s), pack, 2)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a := `["F",0.5,"x_00002_inv.jpg","x_00002_ori.jpg"]`
	b := `["J",1,"x_00001_ori.jpg","x_00001_inv.jpg"]`
	served := &model.Served{PackID: 1, Order: []int32{2<<0 | 1, 0}} // pair 1 inv left, then pair 0 ori left
	wantFail(t, list(`[`+a+`,`+a+`]`).EachPairOnce(2), PairTwice, 2)
	wantFail(t, list(`[`+a+`]`).EachPairOnce(2), WrongCount, 1, 2)
	if err := list(`[` + a + `,` + b + `]`).EachPairOnce(2); err != nil {
		t.Fatal(err)
	}
	if err := list(`[` + a + `,` + b + `]`).AsServed(served); err != nil {
		t.Fatal(err)
	}
	wantFail(t, list(`[`+b+`]`).AsServed(served), NotAsServed, 1)
	wantFail(t, list(`[["F",0.5,"x_00002_ori.jpg","x_00002_inv.jpg"]]`).AsServed(served), NotAsServed, 1)
	wantFail(t, list(`[`+a+`,`+b+`]`).AsServed(&model.Served{Order: served.Order[:1]}), MoreThanServed, 2, 1)

	saved := list(`[` + a + `]`).Trials
	if !Agree(saved, list(`[`+a+`,`+b+`]`).Trials) || !Agree(nil, saved) {
		t.Fatal("a longer list that begins with the saved answers disagrees")
	}
	if Agree(saved, list(`[["F",0.501,"x_00002_inv.jpg","x_00002_ori.jpg"]]`).Trials) || Agree(list(`[`+a+`,`+b+`]`).Trials, saved) {
		t.Fatal("another rt, or a shorter list, agrees")
	}
}

func wantFail(t *testing.T, err error, reason model.Reason, values ...any) {
	t.Helper()
	e, ok := err.(*model.Error)
	if !ok || e.Reason != reason || !slices.Equal(e.Values, values) {
		t.Fatalf("err = %v, want %s %v", err, reason, values)
	}
}
