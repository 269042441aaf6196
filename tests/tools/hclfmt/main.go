// Reads HCL on stdin and prints hclwrite.Format of it: the formatter behind `terraform fmt`.
package main

import (
	"io"
	"os"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

func main() {
	src, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(hclwrite.Format(src))
}
