// Package toolfile embeds a script in a copy of the gbt executable, making a
// single-file tool (gbt build), and reads it back when the tool starts.
//
// A tool is gbt's own executable followed by the Tool as JSON and a
// trailer: the JSON's length (8 bytes, little-endian) and Magic. An
// executable without the trailer is gbt itself.
package toolfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Magic ends every tool file.
const Magic = "gbt-tool"

// trailerLen is the length field and Magic.
const trailerLen = 8 + len(Magic)

// maxPayload bounds the JSON a trailer may announce: a script and its
// defaults, never megabytes (a larger length is a corrupt trailer).
const maxPayload = 16 << 20

// Tool is what a built tool carries: its script and the defaults the build
// command line gave.
type Tool struct {
	Name   string   `json:"name"`   // the script's file name, which diagnostics show
	Script string   `json:"script"` // its source
	Params []string `json:"params"` // defaults of $1..$N
	// Named are the defaults of the named options (getopt) the build
	// command line gave, overriding the script's.
	Named map[string]string `json:"named,omitempty"`
	// Options are the named options the script reads, as the build
	// checked them.
	Options []Option `json:"options,omitempty"`
	// Positionals is the highest $N the script reads.
	Positionals int  `json:"positionals,omitempty"`
	Unsafe      bool `json:"unsafe,omitempty"` // built with --unsafe
}

// Option is a named option of the script: getopt(Name, Default, Desc).
type Option struct {
	Name    string `json:"name"`
	Default string `json:"default"` // the effective default: the build's, else the script's
	Desc    string `json:"desc,omitempty"`
	Bool    bool   `json:"bool,omitempty"` // a flag: a bare --name is true
}

// Write writes exe (an executable, stripped of any tool it carried) and
// then t to w.
func Write(w io.Writer, exe []byte, t *Tool) error {
	payload, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode the tool: %w", err)
	}
	var trailer [trailerLen]byte
	binary.LittleEndian.PutUint64(trailer[:8], uint64(len(payload)))
	copy(trailer[8:], Magic)
	for _, b := range [][]byte{Strip(exe), payload, trailer[:]} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Strip returns exe without the tool it carries, if any.
func Strip(exe []byte) []byte {
	n, ok := payloadLen(exe[max(0, len(exe)-trailerLen):], int64(len(exe)))
	if !ok {
		return exe
	}
	return exe[:int64(len(exe))-int64(trailerLen)-n]
}

// payloadLen decodes a trailer (the last bytes of a file of size bytes).
func payloadLen(trailer []byte, size int64) (int64, bool) {
	if len(trailer) != trailerLen || !bytes.Equal(trailer[8:], []byte(Magic)) {
		return 0, false
	}
	n := binary.LittleEndian.Uint64(trailer[:8])
	if n > maxPayload || int64(n) > size-int64(trailerLen) {
		return 0, false
	}
	return int64(n), true
}

// ErrNotTool is returned by Read for a file without a tool.
var ErrNotTool = errors.New("no tool embedded")

// Read returns the tool the file at path carries, or ErrNotTool. It reads
// only the trailer of a file without one.
func Read(path string) (*Tool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < int64(trailerLen) {
		return nil, ErrNotTool
	}
	trailer := make([]byte, trailerLen)
	if _, err := f.ReadAt(trailer, size-int64(trailerLen)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.Equal(trailer[8:], []byte(Magic)) {
		return nil, ErrNotTool
	}
	n, ok := payloadLen(trailer, size)
	if !ok {
		return nil, fmt.Errorf("%s: the tool's trailer announces a length the file cannot hold", path)
	}
	payload := make([]byte, n)
	if _, err := f.ReadAt(payload, size-int64(trailerLen)-n); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var t Tool
	if err := json.Unmarshal(payload, &t); err != nil {
		return nil, fmt.Errorf("%s: the embedded tool is corrupt: %w", path, err)
	}
	return &t, nil
}
