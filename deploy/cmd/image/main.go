// Command image builds gbt's OCI image without a container daemon (see
// package image): a docker-archive tar by default, or an OCI image layout
// directory. make image runs it.
//
//	go run ./cmd/image -gbt ../bin/gbt -o ../bin/gbt-image.tar
//	go run ./cmd/image -gbt ../bin/gbt -format oci -o ../bin/gbt-oci
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gbt-dev/gbt/deploy/image"
)

func main() {
	gbt := flag.String("gbt", "../bin/gbt", "the static gbt executable to put in the image")
	out := flag.String("o", "gbt-image.tar", "where to write the image")
	format := flag.String("format", "docker", "docker (a docker-archive tar) or oci (an OCI image layout directory)")
	tag := flag.String("tag", "localhost/gbt:latest", "the image's name")
	flag.Parse()
	if err := run(*gbt, *out, *format, *tag); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(gbt, out, format, tag string) error {
	exe, err := os.ReadFile(gbt)
	if err != nil {
		return err
	}
	img, err := image.Build(exe)
	if err != nil {
		return err
	}
	switch format {
	case "docker":
		return image.WriteDocker(out, tag, img)
	case "oci":
		return image.WriteOCI(out, tag, img)
	}
	return fmt.Errorf("-format %q: want docker or oci", format)
}
