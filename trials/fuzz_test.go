package trials

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/psyx-lab/psyx/model"
)

// Parse agrees with a plain encoding/json reading of the same
// rules, on every input.
func FuzzParse(f *testing.F) {
	pairs := []model.Pair{{"x_00001_ori.jpg", "x_00001_inv.jpg"}, {"x_00002_ori.jpg", "x_00002_inv.jpg"}}
	for _, s := range []string{
		`[["F",0.5,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",3,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[[" ",3,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",0.001,"x_00001_inv.jpg","x_00001_ori.jpg"]]`,
		`[["F",-0,"x_00001_ori.jpg","x_00001_ori.jpg"],["J",60,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["\u0046",1,"x_0000\u0031_ori.jpg","x_00001_inv.jpg"],["J",0,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		` [ [ "F" , 1 , "x_00001_ori.jpg" , "x_00001_inv.jpg" ] , ["J",2E1,"x_00002_inv.jpg","x_00002_ori.jpg"] ] `,
		// rt values that once overflowed PostgreSQL's numeric or bloated downloads
		`[["F",0e99999999999,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1e-16384,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1e-16383,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",0.` + strings.Repeat("0", 17000) + `,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1.23456789012345678,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1e400,"a","b"]]`, `{}`, `[[]]`, `null`, `[["F",[1],"a","b"]]`, `[["F",1,"a","b","c"]]`,
	} {
		f.Add([]byte(s))
	}
	pack := model.NewPackFiles(model.Pack{ID: 1, Size: len(pairs)}, pairs)
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) || !utf8.Valid(raw) {
			return // the API's body decoder refuses it before answers are looked at
		}
		list, err := Parse(raw, pack, len(pairs))
		if err == nil {
			err = list.EachPairOnce(len(pairs))
		}
		want := referenceCheck(raw, pairs)
		if (err == nil) != (want == nil) {
			t.Fatalf("Parse err=%v, encoding/json err=%v for %s", err, want, raw)
		}
		if err != nil {
			return
		}
		// What is stored reads back as the same answers, rt rounded to the millisecond.
		var stored, sent [][4]any
		if json.Unmarshal(list.JSON, &stored) != nil || json.Unmarshal(raw, &sent) != nil || len(stored) != len(sent) {
			t.Fatalf("stored %s from %s", list.JSON, raw)
		}
		for i := range sent {
			rt := sent[i][1].(float64)
			if stored[i][0] != sent[i][0] || stored[i][2] != sent[i][2] || stored[i][3] != sent[i][3] ||
				stored[i][1].(float64) != float64(int64(rt*1000+0.5))/1000 && stored[i][1].(float64) != float64(int64(rt*1000))/1000 {
				t.Fatalf("answer %d stored as %v from %v", i, stored[i], sent[i])
			}
		}
	})
}

// referenceCheck is the rules read with encoding/json, slowly and plainly.
func referenceCheck(raw []byte, pairs []model.Pair) error {
	var items [][]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil || len(items) != len(pairs) {
		return errors.New("shape")
	}
	files := map[string][2]int{}
	for i, p := range pairs {
		files[p[0]] = [2]int{i, 0}
		files[p[1]] = [2]int{i, 1}
	}
	seen := map[int]bool{}
	for _, a := range items {
		if len(a) != 4 {
			return errors.New("item")
		}
		var key, left, right string
		var rt float64
		if json.Unmarshal(a[0], &key) != nil || (key != "F" && key != "J" && key != " ") {
			return errors.New("key")
		}
		num := bytes.TrimSpace(a[1])
		if num[0] == '"' || len(num) > 20 || bytes.ContainsAny(num, "eE") || json.Unmarshal(num, &rt) != nil || rt < 0 || rt > 60 {
			return errors.New("rt")
		}
		if json.Unmarshal(a[2], &left) != nil || json.Unmarshal(a[3], &right) != nil {
			return errors.New("files")
		}
		l, okL := files[left]
		r, okR := files[right]
		if !okL || !okR || l[0] != r[0] || l[1] == r[1] || seen[l[0]] {
			return errors.New("pair")
		}
		seen[l[0]] = true
	}
	return nil
}
