// Package crds only pins the API module for go.mod: controller-gen reads its types from the module cache.
package crds

import _ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
