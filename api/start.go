package api

import (
	"crypto/rand"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// start matches a participant to their pack and starts their run, or
// resumes the one they left: same order, answers saved so far.
func (h *Handler) start(c *gin.Context) {
	o, err := readJSONBody(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := h.Rules.participant(o)
	if err != nil {
		h.fail(c, err)
		return
	}
	token, err := optionalToken(o)
	if err != nil {
		h.fail(c, err)
		return
	}
	client, err := parseClient(o["client"])
	if err != nil {
		h.fail(c, model.Errorf(model.Invalid, "Invalid Input: %v", err))
		return
	}
	if token == "" {
		token = rand.Text()
	}
	ctx := c.Request.Context()
	var pack *model.PackFiles
	var run *model.Run
	// A kept match whose pack was deleted meanwhile fails once, and drops
	// the match: the second try asks the database.
	for try := 0; try < 2; try++ {
		if pack, err = h.Packs.MatchPack(ctx, p.Sex, p.Age); err != nil {
			break
		}
		served := h.shuffled(pack)
		nr := model.NewRun{Token: token, Person: p, Served: served, ServedJSON: served.AppendJSON(nil, pack), Client: client}
		run, _, err = h.Runs.StartRun(ctx, nr, h.Now(), h.RunRules.ResumeWithin)
		if model.ErrorCode(err) != model.NotFound {
			break
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	// Written by hand: pic_pairs and answers are JSON already (made here,
	// or kept by PostgreSQL), and encoding/json would check and copy
	// their 13 KB again.
	b := make([]byte, 0, len(run.Served)+len(run.Answers)+160)
	b = append(b, `{"p_id":`...)
	b = strconv.AppendInt(b, int64(pack.ID), 10)
	b = append(b, `,"pack_path":"/packs/`...)
	b = append(b, pack.Name...) // [a-z0-9_]: nothing to escape
	b = append(b, `","pic_pairs":`...)
	b = append(b, run.Served...)
	b = append(b, `,"token":"`...)
	b = append(b, run.Token...) // [A-Za-z0-9-]
	b = append(b, `","answered":`...)
	b = strconv.AppendInt(b, int64(run.Answered), 10)
	b = append(b, `,"answers":`...)
	b = append(b, run.Answers...)
	b = append(b, '}')
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

// optionalToken reads "token": absent or null is "", else it must be 8 to
// 64 letters, digits or dashes.
func optionalToken(o object) (string, error) {
	raw, present := o["token"]
	if !present || string(raw) == "null" {
		return "", nil
	}
	token, ok := o.str("token")
	if !ok || !tokenRE.MatchString(token) {
		return "", model.Errorf(model.Invalid, "Invalid Input: token must be 8 to 64 letters, digits or -")
	}
	return token, nil
}

// shuffled is every pair of the pack once in random order, each pair's
// sides swapped at random: the left file is shown on the left.
func (h *Handler) shuffled(pack *model.PackFiles) *model.Served {
	order := make([]int32, len(pack.Pairs))
	for i := range order {
		order[i] = int32(i << 1)
	}
	h.Rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for i := range order {
		order[i] |= int32(h.Rand.IntN(2))
	}
	return &model.Served{PackID: pack.ID, Order: order}
}
