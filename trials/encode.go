package trials

import (
	"strconv"

	"github.com/psyx-lab/psyx/model"
)

// AppendJSON appends t as it is stored: ["F",0.734,"left","right"]. The
// file names are the pack's own, which hold no character JSON escapes.
func AppendJSON(b []byte, t Trial, pack *model.PackFiles) []byte {
	b = append(b, '[', '"', byte(t.Key), '"', ',')
	b = strconv.AppendFloat(b, float64(t.RTms)/1000, 'f', -1, 64)
	b = append(b, ',', '"')
	b = append(b, pack.Pairs[t.Left.Pair][t.Left.Side]...)
	b = append(b, '"', ',', '"')
	b = append(b, pack.Pairs[t.Right.Pair][t.Right.Side]...)
	return append(b, '"', ']')
}

// CSVColumns are the trial's columns of the long format rcicr reads, in
// the order CSVFields fills them.
var CSVColumns = []string{"pair", "key", "rt", "left", "right", "chosen", "response"}

// CSVFields appends the trial's CSV columns: the 1-based pair number, the
// key, rt in seconds, the two files, the side chosen (ori, inv or empty on
// a timeout) and rcicr's response (1, -1 or empty). text is applied to the
// text cells (the key, the files, the side), not to the numbers.
func CSVFields(row []string, t Trial, pack *model.PackFiles, text func(string) string) []string {
	chosen, response := "", ""
	switch t.Response() {
	case 1:
		chosen, response = "ori", "1"
	case -1:
		chosen, response = "inv", "-1"
	}
	return append(row, strconv.Itoa(t.Pair()+1), text(string(rune(t.Key))),
		strconv.FormatFloat(t.RT(), 'f', -1, 64),
		text(pack.Pairs[t.Left.Pair][t.Left.Side]), text(pack.Pairs[t.Right.Pair][t.Right.Side]), text(chosen), response)
}
