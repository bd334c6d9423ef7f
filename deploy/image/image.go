// Package image builds gbt's OCI image without a container daemon: one
// layer holding the static gbt executable as /usr/bin/gbt on an empty base,
// gbt as the entry point (github.com/google/go-containerregistry).
package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Path is where the image holds gbt, its entry point.
const Path = "/usr/bin/gbt"

// WriteDocker writes img as a docker-archive tar named tag (`podman load`,
// `docker load`, `skopeo copy docker-archive:FILE docker://REGISTRY/...`).
func WriteDocker(path, tag string, img v1.Image) error {
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("image name %q: %w", tag, err)
	}
	return tarball.WriteToFile(path, ref, img)
}

// WriteOCI writes img as an OCI image layout directory, its reference name
// tag.
func WriteOCI(dir, tag string, img v1.Image) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag}))
}

// epoch dates the image and its files, so that one gbt executable always
// makes the same image (the same digest).
var epoch = time.Unix(0, 0).UTC()

// Build makes the image of the static gbt executable exe: an empty base
// and one layer with exe as Path.
func Build(exe []byte) (v1.Image, error) {
	files, err := layerTar(exe)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("make the layer: %w", err)
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: epoch}, CreatedBy: "gbt deploy/image", Comment: "the static gbt executable",
	}})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Entrypoint = []string{Path}
	cfg.Config.Env = []string{"PATH=/usr/bin"}
	cfg.Config.Labels = map[string]string{
		"org.opencontainers.image.title":       "gbt",
		"org.opencontainers.image.description": "bpftrace-compatible tracing in one static Go executable",
		"org.opencontainers.image.source":      "https://github.com/gbt-dev/gbt",
	}
	return mutate.ConfigFile(img, cfg)
}

// layerTar is the layer's file system: Path, and the directories above
// it.
func layerTar(exe []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, dir := range []string{"usr/", "usr/bin/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: Path[1:], Mode: 0o755, Size: int64(len(exe)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(exe); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
