// Command psyx is the Psyx experiment service: the /api/ JSON backend that
// Nginx fronts, plus its maintenance commands.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
