// Command etcd starts the etcd server that k8s.io/kubernetes v1.34.4 pins (go.etcd.io/etcd/server/v3
// v3.6.4 in its go.mod), so the test control plane runs the etcd release its API server is tested with.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
