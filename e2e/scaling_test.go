package e2e

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// Two psyx instances behind one upstream, one database and one packs
// folder: what one instance changes, the other sees at once.
func TestTwoInstancesShareEverything(t *testing.T) {
	s := StartStack(t, StackOptions{Instances: 2, PairsPerPack: 10})
	a, b := "http://"+s.APIAddrs[0], "http://"+s.APIAddrs[1]
	plain := s.Client() // the service itself does no auth: Nginx does

	// Created through A, matched by B immediately, images through Nginx.
	id := packID(t, s.uploadGenerated(t, a, "shared", "sh", 2, 20, 29))
	p := NewPerson(1, 2, 22)
	asg := s.StartReply(t, b+"/api/reply/start", p)
	if asg.PID != id || len(asg.PicPairs) != 10 || !strings.HasPrefix(asg.PicPairs[0][0], "sh_") {
		t.Fatalf("start on B after create on A: %+v", asg)
	}
	if r := s.Get(t, plain, asg.PackPath+"/"+asg.PicPairs[0][1]); r.Status != http.StatusOK {
		t.Fatalf("image through Nginx: %v", r)
	}

	// Removed and re-created under the same name with other files through
	// A: B must not answer from a stale cache.
	if r := s.Get(t, plain, a+"/api/admin/remove?id="+itoa(id)); r.Status != http.StatusOK {
		t.Fatalf("remove on A: %v", r)
	}
	if r := s.PostJSON(t, plain, b+"/api/reply/start", p); r.Status != http.StatusBadRequest || string(r.Body) != "No Suitable Pack for You" {
		t.Fatalf("start on B after remove on A: want 400 No Suitable Pack for You, got %v", r)
	}
	id2 := packID(t, s.uploadGenerated(t, a, "shared", "again", 2, 20, 29))
	asg = s.StartReply(t, b+"/api/reply/start", p)
	if asg.PID != id2 || !strings.HasPrefix(asg.PicPairs[0][0], "again_") {
		t.Fatalf("start on B after re-create on A: %+v", asg)
	}
	if r := s.Get(t, plain, asg.PackPath+"/"+asg.PicPairs[0][0]); r.Status != http.StatusOK {
		t.Fatalf("re-created image through Nginx: %v", r)
	}

	// The participant flow through Nginx works whichever instance is down.
	for i, program := range s.Programs {
		other := s.Programs[1-i]
		s.Supervisorctl(t, "stop", program)
		for j := 0; j < 4; j++ {
			p := NewPerson(100*(i+1)+j, 2, 20+j)
			asg := s.StartReply(t, "/api/reply/start", p)
			sub := NewSubmission(p, asg, asg.Token)
			if r := s.PostJSON(t, plain, "/api/reply/submit", sub); r.Status != http.StatusOK {
				t.Fatalf("submit with only %s up: %v", other, r)
			}
		}
		s.Supervisorctl(t, "start", program)
		waitHealthy(t, "http://"+s.APIAddrs[i]+"/api/health")
	}
	packs := s.ListPacks(t)
	if len(packs) != 1 || packs[0].Count != 8 {
		t.Fatalf("list through Nginx: %+v", packs)
	}
	for _, base := range []string{a, b} {
		r := s.Get(t, plain, base+"/api/admin/list")
		var got []PackInfo
		if err := json.Unmarshal(r.Body, &got); err != nil || len(got) != 1 || got[0].Count != 8 {
			t.Errorf("list on %s: %v", base, r)
		}
	}
}

// uploadGenerated uploads a generated pack straight to one instance.
func (s *Stack) uploadGenerated(t *testing.T, base, name, prefix string, sex, ageMin, ageMax int) Response {
	t.Helper()
	dir := filepath.Join(t.TempDir(), prefix)
	WritePackFiles(t, dir, prefix, 10)
	return s.UploadDir(t, s.Client(), base+"/api/admin/create", PackForm{name, sex, ageMin, ageMax}, dir, nil)
}
