package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestDownload(t *testing.T) {
	e := newEnv(t, envOptions{})
	id := e.createPack(t, "female20s", 2, 20, 29)
	var sent [][]any
	for i := 0; i < 3; i++ {
		who := person()
		who["name"] = []string{"홍길동", "김상현", "이성호"}[i]
		s := e.start(t, who)
		ans := answersFor(s.PicPairs)
		sent = append(sent, ans)
		wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, s.PackID, ans, s.Token)), 200, "Reply Submitted.")
	}

	t.Run("json", func(t *testing.T) {
		r := e.get(t, fmt.Sprintf("/api/admin/download?id=%d", id))
		wantStatus(t, r, 200, "")
		if cd := r.Header.Get("Content-Disposition"); cd != fmt.Sprintf(`attachment; filename="female20s-%d.json"`, id) {
			t.Errorf("Content-Disposition %q", cd)
		}
		var pack struct {
			PID       int     `json:"p_id"`
			Name      string  `json:"pack_name"`
			Sex       int     `json:"sex"`
			AgeMin    int     `json:"age_min"`
			AgeMax    int     `json:"age_max"`
			Count     int     `json:"count"`
			Size      int     `json:"size"`
			Date      string  `json:"date"`
			Running   int     `json:"running"`
			Abandoned int     `json:"abandoned"`
			Last      *string `json:"last"`
			Replies   []struct {
				RID        int64          `json:"r_id"`
				PID        int            `json:"p_id"`
				Name       string         `json:"name"`
				Email      string         `json:"email"`
				No         string         `json:"no"`
				Sex        int            `json:"sex"`
				Age        int            `json:"age"`
				Phone      string         `json:"phone"`
				Date       string         `json:"date"`
				Answers    []any          `json:"answers"`
				Client     map[string]any `json:"client"`
				Clients    []any          `json:"clients"`
				Resumes    *int           `json:"resumes"`
				Events     map[string]any `json:"events"`
				Token      *string        `json:"token"`
				Completion *string        `json:"completion"`
				State      string         `json:"state"`
				Started    *string        `json:"started"`
			} `json:"replies"`
		}
		dec := json.NewDecoder(strings.NewReader(r.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&pack); err != nil {
			t.Fatalf("decode: %v\n%s", err, r.Body)
		}
		if pack.PID != id || pack.Name != "female20s" || pack.Count != 3 || pack.Size != 3 || len(pack.Replies) != 3 ||
			pack.Sex != 2 || pack.AgeMin != 20 || pack.AgeMax != 29 || !dateRE.MatchString(pack.Date) {
			t.Fatalf("pack %+v", pack)
		}
		for i, rep := range pack.Replies {
			if i > 0 && rep.RID <= pack.Replies[i-1].RID {
				t.Errorf("replies not ordered by r_id")
			}
			if rep.PID != id || rep.Email != "hong@example.com" || rep.No != "2020123" || rep.Sex != 2 || rep.Age != 25 || rep.Phone != "010-1234-5678" || !dateRE.MatchString(rep.Date) ||
				rep.Client == nil || rep.Clients == nil || rep.Events == nil || rep.State != "finished" || rep.Token == nil || rep.Started == nil ||
				rep.Completion == nil || rep.Resumes == nil {
				t.Errorf("reply %d: %+v", i, rep)
			}
			want, _ := json.Marshal(sent[i])
			got, _ := json.Marshal(rep.Answers)
			if !bytes.Equal(want, got) {
				t.Errorf("reply %d answers changed:\n got %s\nwant %s", i, got, want)
			}
		}
		if pack.Replies[1].Name != "김상현" {
			t.Errorf("second reply name %q", pack.Replies[1].Name)
		}
	})

	t.Run("csv", func(t *testing.T) {
		r := e.get(t, fmt.Sprintf("/api/admin/download?id=%d&format=csv", id))
		wantStatus(t, r, 200, "")
		if cd := r.Header.Get("Content-Disposition"); cd != fmt.Sprintf(`attachment; filename="female20s-%d.csv"`, id) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if strings.HasPrefix(r.Body, "\ufeff") {
			t.Error("the CSV starts with a byte-order mark; pandas and R want none")
		}
		excel := e.get(t, fmt.Sprintf("/api/admin/download?id=%d&format=csv&bom=1", id))
		if excel.Body != "\ufeff"+r.Body {
			t.Errorf("with bom=1 the CSV is not the same CSV after a byte-order mark: %.40q", excel.Body)
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+3*3 {
			t.Fatalf("%d rows, want header + 9", len(rows))
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, need := range []string{"r_id", "name", "no", "sex", "age", "date", "trial", "pair", "key", "rt", "left", "right", "chosen", "response", "state", "started", "client_window"} {
			if _, ok := col[need]; !ok {
				t.Fatalf("no column %q in %v", need, rows[0])
			}
		}
		for i, row := range rows[1:] {
			ans := sent[i/3][i%3].([]any)
			key, left, right := ans[0].(string), ans[2].(string), ans[3].(string)
			if row[col["key"]] != key || row[col["left"]] != left || row[col["right"]] != right || row[col["trial"]] != fmt.Sprint(i%3+1) {
				t.Errorf("row %d %v does not match answer %v", i, row, ans)
			}
			var chosen string
			switch key {
			case "F":
				chosen = left
			case "J":
				chosen = right
			}
			wantSide, wantResp := "", ""
			if strings.Contains(chosen, "_ori.") {
				wantSide, wantResp = "ori", "1"
			} else if strings.Contains(chosen, "_inv.") {
				wantSide, wantResp = "inv", "-1"
			}
			if row[col["chosen"]] != wantSide || row[col["response"]] != wantResp {
				t.Errorf("row %d: chosen %q response %q, want %q %q", i, row[col["chosen"]], row[col["response"]], wantSide, wantResp)
			}
			if !strings.Contains(left, "_"+fmt.Sprintf("%05s", row[col["pair"]])+"_") {
				t.Errorf("row %d: pair %q does not match %s", i, row[col["pair"]], left)
			}
		}
	})

	t.Run("unknown", func(t *testing.T) {
		wantStatus(t, e.get(t, "/api/admin/download?id=77"), 400, "Pack 77 Not Found")
		wantStatus(t, e.get(t, "/api/admin/download?id=x"), 400, "Pack x Not Found")
		wantPrefix(t, e.get(t, fmt.Sprintf("/api/admin/download?id=%d&format=xml", id)), 400, "Unknown Format")
	})
}
