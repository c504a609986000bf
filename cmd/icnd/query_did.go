package main

import (
	"os"
	"strconv"

	"github.com/intercooperative/icnd/modules/did"
)

// printResolution prints a resolved DID as text: the document as W3C JSON,
// then its metadata.
func printResolution(rr *did.ResolutionResult) {
	_ = printJSON(os.Stdout, rr.DIDDocument)
	m := rr.DIDDocumentMetadata
	fields := [][2]string{{"created", atHeight(m.Created, m.CreatedHeight)}}
	if m.UpdatedHeight != 0 {
		fields = append(fields, [2]string{"updated", atHeight(m.Updated, m.UpdatedHeight)})
	}
	deactivated := "false"
	if m.Deactivated {
		deactivated = "true, at height " + strconv.FormatInt(m.DeactivatedHeight, 10)
	}
	fields = append(fields, [2]string{"deactivated", deactivated})
	printFields(os.Stdout, fields...)
}

// atHeight renders a metadata time with its height (0 for a genesis
// document); the time is empty when the node did not have the header.
func atHeight(t string, height int64) string {
	if height == 0 {
		return "in genesis"
	}
	h := "height " + strconv.FormatInt(height, 10)
	if t == "" {
		return h
	}
	return t + " (" + h + ")"
}
