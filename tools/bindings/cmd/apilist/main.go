// Command apilist writes the exported API listing (bindings.ListAPI) of Go
// package directories to files; generate.mjs --api-golden runs it on the full
// generation of each provider to write tools/bindings/testdata/api/.
//
//	go run ./tools/bindings/cmd/apilist [-header TEXT] DIR=FILE...
//	go run ./tools/bindings/cmd/apilist DIR   (prints to stdout)
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/llm-platform/cdktf-llm/tools/bindings"
)

func main() {
	header := flag.String("header", "", "a line written (as a '# ' comment) above each listing")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: apilist [-header TEXT] DIR=FILE... | DIR")
		os.Exit(2)
	}
	for _, arg := range flag.Args() {
		dir, file, toFile := strings.Cut(arg, "=")
		api, err := bindings.ListAPI(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "apilist:", err)
			os.Exit(1)
		}
		text := bindings.GoldenHeader(*header) + api
		if !toFile {
			fmt.Print(text)
			continue
		}
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "apilist:", err)
			os.Exit(1)
		}
	}
}
