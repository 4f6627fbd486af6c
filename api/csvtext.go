package api

// csvText is a text cell as every CSV of Psyx writes it: one that a
// spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a
// carriage return) gets a leading ' (OWASP's rule). Numbers are written as
// numbers and never pass through here.
func csvText(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}
