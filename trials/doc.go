// Package trials owns the answer format: one trial is [key, rt, left,
// right] (key "F", "J" or " " for a timeout; rt in seconds; the two files
// shown left and right). It parses and normalises what a page sends, reads
// what the database kept, says which image was chosen and rcicr's ±1
// response, and encodes a trial for JSON, SQL (the normalised JSON that
// PostgreSQL compares) and CSV. The API, the analysis and the downloads all
// go through it; nothing else parses answers.
package trials
