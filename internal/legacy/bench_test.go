package legacy

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse reads one legacy client.yaml (the tolerant reader: BOM,
// encodings, spellings, line numbers for every warning).
func BenchmarkParse(b *testing.B) {
	file := filepath.Join(sampleDir, "africastay", "client.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Parse(file, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadTree reads the whole sample tree (52 folders, with prompts)
// from disk, as import-yaml, export's round trip and drift do first.
func BenchmarkReadTree(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadTree(sampleDir); err != nil {
			b.Fatal(err)
		}
	}
}
