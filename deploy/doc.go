// Package deploy holds gbt's fleet deployment: the OCI image (package
// image, built by cmd/image: make image) and the Kubernetes manifests in
// kubernetes/ (a DaemonSet that runs a script from a ConfigMap with
// --metrics, for Prometheus to scrape). Its tests validate the manifests
// against Kubernetes' schemas and run the image, with the DaemonSet's
// privileges, under podman.
//
// It is a module of its own so that the Kubernetes and image libraries
// stay out of gbt's module and binary.
package deploy
