// Command kwok-stages prints the kwok configuration the test control plane runs kwok with: the "fast"
// node and pod stages that kwok v0.8.0 ships in its module (the defaults kwokctl uses), so fake nodes
// turn Ready and keep a heartbeat, and their pods turn Running and Ready, complete (Job pods) and go
// away when deleted, without a container runtime.
package main

import (
	"fmt"
	"strings"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
)

func main() {
	docs := []string{
		nodefast.DefaultNodeInit,
		nodeheartbeat.DefaultNodeHeartbeat,
		podfast.DefaultPodReady,
		podfast.DefaultPodComplete,
		podfast.DefaultPodDelete,
	}
	for i, doc := range docs {
		docs[i] = strings.TrimSpace(doc)
	}
	fmt.Println(strings.Join(docs, "\n---\n"))
}
