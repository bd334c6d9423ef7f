package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/client-go/applyconfigurations"
	"sigs.k8s.io/yaml"
)

// The manifests are checked twice, offline: against the OpenAPI schema of
// every Kubernetes type (the one client-go's apply configurations embed,
// generated from the API server's OpenAPI document), which refuses unknown
// and mistyped fields; and by a strict decode into k8s.io/api's types.

// schemaConverter validates objects against Kubernetes' OpenAPI schemas.
func schemaConverter(t *testing.T) managedfields.TypeConverter {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := appsv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return applyconfigurations.NewTypeConverter(scheme)
}

// newObject is the typed object of a kind the manifests use.
func newObject(kind string) (any, error) {
	switch kind {
	case "Namespace":
		return &corev1.Namespace{}, nil
	case "ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "DaemonSet":
		return &appsv1.DaemonSet{}, nil
	}
	return nil, fmt.Errorf("kind %q: not one the manifests are expected to hold", kind)
}

// validate checks one YAML document against the schema of its kind and
// decodes it strictly into its type.
func validate(tc managedfields.TypeConverter, doc []byte) (any, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	var fields map[string]any
	if err := utiljson.Unmarshal(js, &fields); err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: fields}
	if _, err := tc.ObjectToTyped(u); err != nil {
		return nil, fmt.Errorf("%s %s: schema: %w", u.GetKind(), u.GetName(), err)
	}
	obj, err := newObject(u.GetKind())
	if err != nil {
		return nil, err
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return nil, fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
	}
	return obj, nil
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// manifests are the objects of kubernetes/*.yaml.
type manifests struct {
	namespace *corev1.Namespace
	configMap *corev1.ConfigMap
	daemonSet *appsv1.DaemonSet
}

// loadManifests validates every document of kubernetes/*.yaml and returns
// the objects.
func loadManifests(t *testing.T) manifests {
	t.Helper()
	tc := schemaConverter(t)
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in kubernetes/: %v", err)
	}
	var m manifests
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docSeparator.Split(string(text), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			obj, err := validate(tc, []byte(doc))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			switch o := obj.(type) {
			case *corev1.Namespace:
				m.namespace = o
			case *corev1.ConfigMap:
				m.configMap = o
			case *appsv1.DaemonSet:
				m.daemonSet = o
			}
		}
	}
	if m.namespace == nil || m.configMap == nil || m.daemonSet == nil {
		t.Fatalf("want a Namespace, a ConfigMap and a DaemonSet in kubernetes/, have %+v", m)
	}
	return m
}

// TestManifestsValidate: the manifests are valid, and the validation
// refuses what the API server would (so that it can fail).
func TestManifestsValidate(t *testing.T) {
	loadManifests(t)
	good, err := os.ReadFile("kubernetes/daemonset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tc := schemaConverter(t)
	for _, tt := range []struct{ name, from, to, want string }{
		{"a misspelt field", "hostPID: true", "hostPid: true", `.spec.template.spec.hostPid: field not declared in schema`},
		{"a mistyped value", "containerPort: 9464", "containerPort: metrics", `expected numeric (int or float), got string`},
		{"a list as a map", "drop: [\"ALL\"]", "drop: ALL", `.capabilities.drop: expected list, got`},
		{"an unknown kind", "kind: DaemonSet", "kind: DaemonSett", `no kind "DaemonSett" is registered for version "apps/v1"`},
	} {
		if !strings.Contains(string(good), tt.from) {
			t.Fatalf("%s: daemonset.yaml has no %q to change", tt.name, tt.from)
		}
		_, err := validate(tc, []byte(strings.Replace(string(good), tt.from, tt.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: validate error %v, want one with %q", tt.name, err, tt.want)
		}
	}
}

// TestManifestsPolicy: the DaemonSet runs the ConfigMap's script with
// --metrics on the port Prometheus is told to scrape, with the node's pids
// and tracefs, and with the capabilities BPF tracing needs and no others.
func TestManifestsPolicy(t *testing.T) {
	m := loadManifests(t)
	ds := m.daemonSet
	pod := ds.Spec.Template
	for _, obj := range []string{m.configMap.Namespace, ds.Namespace} {
		if obj != m.namespace.Name {
			t.Errorf("namespace %q, want %q", obj, m.namespace.Name)
		}
	}
	for k, v := range ds.Spec.Selector.MatchLabels {
		if pod.Labels[k] != v {
			t.Errorf("selector %s=%s does not select the pod template (labels %v)", k, v, pod.Labels)
		}
	}
	if !pod.Spec.HostPID {
		t.Error("hostPID is off: pid and -p would be the pod's, not the node's")
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("want one container, have %d", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.Capabilities == nil {
		t.Fatal("no securityContext capabilities")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Error("privileged: the capabilities are enough")
	}
	if !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("capabilities drop %v, want [ALL]", sc.Capabilities.Drop)
	}
	if want := []corev1.Capability{"BPF", "PERFMON", "SYS_RESOURCE"}; !slices.Equal(sc.Capabilities.Add, want) {
		t.Errorf("capabilities add %v, want %v", sc.Capabilities.Add, want)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("want a read-only root file system and no privilege escalation")
	}
	if pod.Spec.AutomountServiceAccountToken == nil || *pod.Spec.AutomountServiceAccountToken {
		t.Error("the pod needs no Kubernetes API token")
	}

	run := containerRun(t, m)
	if run.metricsPort == "" {
		t.Fatalf("args %q: no --metrics HOST:PORT", c.Args)
	}
	ann := pod.Annotations
	if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/port"] != run.metricsPort || ann["prometheus.io/path"] != "/metrics" {
		t.Errorf("annotations %v: want prometheus.io/scrape true, port %s, path /metrics", ann, run.metricsPort)
	}
	if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return fmt.Sprint(p.ContainerPort) == run.metricsPort }) {
		t.Errorf("ports %v do not name the metrics port %s", c.Ports, run.metricsPort)
	}
	if run.script == "" {
		t.Errorf("args %q: the script is not a key of ConfigMap %s at its mount", c.Args, m.configMap.Name)
	}
	if !slices.ContainsFunc(run.mounts, func(b bindMount) bool { return b.host == "/sys/kernel/tracing" && b.container == "/sys/kernel/tracing" }) {
		t.Errorf("tracefs is not mounted at /sys/kernel/tracing: %+v", run.mounts)
	}
}

// bindMount is a host directory a container sees.
type bindMount struct {
	host, container string
	readOnly        bool
}

// podRun is what the DaemonSet's container runs and with what: what a
// podman run needs to reproduce it.
type podRun struct {
	args        []string // gbt's arguments
	caps        []string
	metricsPort string      // of --metrics HOST:PORT
	metricsArg  int         // index in args of --metrics' value
	script      string      // the ConfigMap's script the args run
	configPath  string      // the ConfigMap's mount path
	mounts      []bindMount // hostPath volumes
	readOnly    bool        // read-only root file system
	noNewPrivs  bool        // no privilege escalation
	seccomp     corev1.SeccompProfileType
}

// containerRun reads the DaemonSet's container as a podRun.
func containerRun(t *testing.T, m manifests) podRun {
	t.Helper()
	spec := m.daemonSet.Spec.Template.Spec
	c := spec.Containers[0]
	sc := c.SecurityContext
	r := podRun{args: c.Args, metricsArg: -1,
		readOnly:   sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem,
		noNewPrivs: sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation}
	if sc.SeccompProfile != nil {
		r.seccomp = sc.SeccompProfile.Type
	}
	for _, cp := range sc.Capabilities.Add {
		r.caps = append(r.caps, string(cp))
	}
	for i, a := range c.Args {
		if a == "--metrics" && i+1 < len(c.Args) {
			r.metricsArg = i + 1
			_, r.metricsPort, _ = strings.Cut(c.Args[i+1], ":")
		}
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	for _, vm := range c.VolumeMounts {
		v := volumes[vm.Name]
		switch {
		case v.HostPath != nil:
			r.mounts = append(r.mounts, bindMount{host: v.HostPath.Path, container: vm.MountPath, readOnly: vm.ReadOnly})
		case v.ConfigMap != nil && v.ConfigMap.Name == m.configMap.Name:
			r.configPath = vm.MountPath
			for key, text := range m.configMap.Data {
				if slices.Contains(c.Args, filepath.Join(vm.MountPath, key)) {
					r.script = text
				}
			}
		}
	}
	return r
}
