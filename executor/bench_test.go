package executor

import "testing"

// BenchmarkInstrumentGoProgram instruments the ~2.8 MB Go program of
// TestGoProgramFuelIdenticalAcrossEngines.
func BenchmarkInstrumentGoProgram(b *testing.B) {
	mod := buildGoProgram(b)
	b.SetBytes(int64(len(mod)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Instrument(mod); err != nil {
			b.Fatal(err)
		}
	}
}
