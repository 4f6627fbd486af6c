package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// slowServed is DecodeServed's encoding/json reading, the reference.
func slowServed(pack *PackFiles, raw []byte) ([]int32, error) {
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, err
	}
	var order []int32
	for _, p := range pairs {
		ref, ok := pack.File([]byte(p[0]))
		if !ok {
			return nil, fmt.Errorf("unknown %q", p[0])
		}
		order = append(order, int32(ref.Pair<<1|ref.Side))
	}
	return order, nil
}

// The scanner reads what the server stores, as Go wrote it and as
// PostgreSQL gives it back, to the same order as encoding/json; anything
// else it leaves to DecodeServed's slow reading, which agrees with the
// reference on every input.
func TestScanServed(t *testing.T) {
	pack := NewPackFiles(Pack{ID: 7}, []Pair{{"f_00001_ori.jpg", "f_00001_inv.jpg"}, {"f_00002_ori.jpg", "f_00002_inv.jpg"}})
	sv := &Served{PackID: 7, Order: []int32{3, 0}}
	written := sv.AppendJSON(nil, pack)
	for _, tc := range []struct {
		name, raw string
		fast      bool
	}{
		{"as written", string(written), true},
		{"as jsonb prints it", `[["f_00002_inv.jpg", "f_00002_ori.jpg"], ["f_00001_ori.jpg", "f_00001_inv.jpg"]]`, true},
		{"white space anywhere", " [ [ \"f_00002_inv.jpg\" ,\n\"f_00002_ori.jpg\" ] ,[\"f_00001_ori.jpg\",\"f_00001_inv.jpg\"] ] ", true},
		{"empty", `[]`, true},
		{"an escape", `[["f_00002_inv\u002ejpg", "f_00002_ori.jpg"]]`, false},
		{"unknown file", `[["nope.jpg", "f_00002_ori.jpg"]]`, false},
		{"three files", `[["f_00002_inv.jpg", "f_00002_ori.jpg", "x"]]`, false},
		{"trailing comma", `[["f_00002_inv.jpg", "f_00002_ori.jpg"],]`, false},
		{"trailing bytes", `[] x`, false},
		{"cut", `[["f_00002_inv.jpg", "f_00002_ori`, false},
		{"not an array", `{}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, fast := scanServed(pack, []byte(tc.raw))
			if fast != tc.fast {
				t.Errorf("fast path %v, want %v", fast, tc.fast)
			}
			want, wantErr := slowServed(pack, []byte(tc.raw))
			got, err := DecodeServed(pack, []byte(tc.raw))
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, reference %v", err, wantErr)
			}
			if err == nil && !slices.Equal(got.Order, want) {
				t.Errorf("order %v, reference %v", got.Order, want)
			}
		})
	}
	if got, err := DecodeServed(pack, written); err != nil || !slices.Equal(got.Order, sv.Order) || got.PackID != 7 {
		t.Fatalf("round trip %+v %v", got, err)
	}
}

// FuzzScanServed: whatever the bytes, the scanner never disagrees with
// encoding/json when it claims them.
func FuzzScanServed(f *testing.F) {
	pack := NewPackFiles(Pack{ID: 7}, []Pair{{"a_ori.jpg", "a_inv.jpg"}, {"b_ori.jpg", "b_inv.jpg"}})
	f.Add([]byte(`[["a_ori.jpg", "a_inv.jpg"], ["b_inv.jpg","b_ori.jpg"]]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		order, ok := scanServed(pack, raw)
		if !ok {
			return
		}
		want, err := slowServed(pack, raw)
		if err != nil || !slices.Equal(order, want) && !(len(order) == 0 && len(want) == 0) {
			t.Fatalf("%q: scanned %v, encoding/json %v %v", raw, order, want, err)
		}
	})
}
