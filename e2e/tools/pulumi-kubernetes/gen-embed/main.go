// Command gen-embed writes the two files the provider's main package embeds and its `go generate`
// step would write next to it: schema-embed.json (schema.json with the release version set) and
// terraform-mapping-embed.json (terraform-mapping.json compacted), into the scratch folder where
// e2e/build-tools.sh builds the provider's main package (the module cache is read-only).
//
// Usage: gen-embed <provider cmd dir> <version> <out dir>
package main

import (
	"bytes"
	"encoding/json"
	"log"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 4 {
		log.Fatal("usage: gen-embed <provider cmd dir> <version> <out dir>")
	}
	src, version, out := os.Args[1], os.Args[2], os.Args[3]
	raw, err := os.ReadFile(filepath.Join(src, "schema.json"))
	if err != nil {
		log.Fatal(err)
	}
	// A generic map keeps every field of the schema; only "version" is set.
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		log.Fatalf("schema.json: %v", err)
	}
	schema["version"] = version
	data, err := json.Marshal(schema)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "schema-embed.json"), data, 0o644); err != nil {
		log.Fatal(err)
	}
	mapping, err := os.ReadFile(filepath.Join(src, "terraform-mapping.json"))
	if err != nil {
		log.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, mapping); err != nil {
		log.Fatalf("terraform-mapping.json: %v", err)
	}
	if err := os.WriteFile(filepath.Join(out, "terraform-mapping-embed.json"), compact.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
