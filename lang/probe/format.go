package probe

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Format is a parsed tracefs event format file.
type Format struct {
	Name   string
	ID     int
	Fields []FormatField
}

// FormatField is one `field:` line of a format file.
type FormatField struct {
	Name    string // "filename"
	CType   string // the C type as written, without the name: "const char *", "__data_loc char[]"
	Offset  int
	Size    int
	Signed  bool
	Common  bool // common_* header fields
	DataLoc bool // __data_loc: a u32 holding (len << 16 | offset) of a dynamic array
	ArrayN  int  // >0 for fixed arrays: char comm[16]
	Pointer bool // the type is a pointer
	Char    bool // element type is char (strings)
	// Enum names the enum of a field declared `enum NAME` (not a pointer
	// or array): "skb_drop_reason" of `enum skb_drop_reason reason`.
	Enum string
}

// FormatError is the error of ParseFormat: a format file that was read
// but that gbt cannot parse.
type FormatError struct{ Err error }

func (e *FormatError) Error() string { return e.Err.Error() }

// Unwrap returns the error that says what is wrong with the file.
func (e *FormatError) Unwrap() error { return e.Err }

// FormatCache keeps the parsed format file of each tracepoint, for an Env
// to implement TracepointFormat with: each file is read and parsed once
// however many scripts use it. The zero value is ready to use. It is safe
// for concurrent use.
type FormatCache struct {
	mu     sync.Mutex
	parsed map[tracepointName]parsedFormat
}

// tracepointName names a tracepoint.
type tracepointName struct{ category, name string }

type parsedFormat struct {
	f   *Format
	err error
}

// Format returns the parsed format of category:name, calling read for
// its text until a read succeeds (a tracepoint may appear later, when a
// module loads) and parsing that text once.
func (c *FormatCache) Format(category, name string, read func() (string, error)) (*Format, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := tracepointName{category, name}
	p, ok := c.parsed[key]
	if !ok {
		text, err := read()
		if err != nil {
			return nil, err
		}
		p.f, p.err = ParseFormat(text)
		if c.parsed == nil {
			c.parsed = map[tracepointName]parsedFormat{}
		}
		c.parsed[key] = p
	}
	return p.f, p.err
}

// ParseFormat parses the text of events/<category>/<name>/format.
func ParseFormat(text string) (*Format, error) {
	f := &Format{Fields: make([]FormatField, 0, strings.Count(text, "field:"))}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "name:"):
			f.Name = strings.TrimSpace(strings.TrimPrefix(line, "name:"))
		case strings.HasPrefix(line, "ID:"):
			f.ID, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ID:")))
		case strings.HasPrefix(line, "field:"):
			fld, err := parseField(line)
			if err != nil {
				return nil, &FormatError{fmt.Errorf("format of %s: %w", f.Name, err)}
			}
			f.Fields = append(f.Fields, fld)
		}
	}
	if len(f.Fields) == 0 {
		return nil, &FormatError{fmt.Errorf("format of %q has no fields", f.Name)}
	}
	return f, nil
}

// parseField parses `field:const char * filename;	offset:24;	size:8;	signed:0;`.
func parseField(line string) (FormatField, error) {
	var fld FormatField
	for part := range strings.SplitSeq(line, ";") {
		part = strings.TrimSpace(part)
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		switch k {
		case "field":
			decl := strings.TrimSpace(v)
			if i := strings.IndexByte(decl, '['); i >= 0 && !strings.HasPrefix(decl, "__data_loc") {
				n, err := strconv.Atoi(strings.TrimSuffix(decl[i+1:], "]"))
				if err == nil {
					fld.ArrayN = n
				}
				decl = decl[:i]
			}
			j := strings.LastIndexAny(decl, " *")
			if j < 0 {
				return fld, fmt.Errorf("bad field declaration %q", decl)
			}
			fld.Name = decl[j+1:]
			fld.CType = strings.TrimSpace(decl[:j+1])
			fld.DataLoc = strings.HasPrefix(fld.CType, "__data_loc")
			fld.Pointer = strings.HasSuffix(fld.CType, "*")
			fld.Char = strings.Contains(fld.CType, "char")
			fld.Common = strings.HasPrefix(fld.Name, "common_")
		case "offset":
			fld.Offset, _ = strconv.Atoi(v)
		case "size":
			fld.Size, _ = strconv.Atoi(v)
		case "signed":
			fld.Signed = v == "1"
		}
	}
	if fld.Name == "" || fld.Size == 0 {
		return fld, fmt.Errorf("bad field line %q", line)
	}
	if !fld.Pointer && !fld.DataLoc && fld.ArrayN == 0 {
		fld.Enum = enumCType(fld.CType)
	}
	if !fld.Pointer && signedCType(fld.CType) {
		// Syscall tracepoints store every argument in 8 bytes and mark
		// them all signed:0, `int dfd` included; the C type is right.
		fld.Signed = true
	}
	return fld, nil
}

// enumCType returns NAME of a C type `enum NAME` (qualifiers allowed),
// else "".
func enumCType(ctype string) string {
	var words []string
	for _, w := range strings.Fields(ctype) {
		if w != "const" && w != "volatile" {
			words = append(words, w)
		}
	}
	if len(words) == 2 && words[0] == "enum" {
		return words[1]
	}
	return ""
}

// signedCType reports whether a C type, as written in a format file, is
// one of the signed integer types the kernel's tracepoints use.
func signedCType(ctype string) bool {
	t := strings.TrimPrefix(strings.TrimPrefix(ctype, "const "), "volatile ")
	switch t {
	case "int", "signed", "signed int", "short", "short int", "signed short",
		"long", "long int", "signed long", "long long", "long long int", "signed long long",
		"signed char", "s8", "s16", "s32", "s64", "__s8", "__s16", "__s32", "__s64",
		"int8_t", "int16_t", "int32_t", "int64_t",
		"pid_t", "ssize_t", "off_t", "loff_t", "time_t", "clockid_t", "key_t", "timer_t", "mqd_t",
		"__kernel_pid_t", "__kernel_ssize_t", "__kernel_off_t", "__kernel_loff_t",
		"__kernel_time_t", "__kernel_old_time_t", "__kernel_clockid_t", "__kernel_timer_t":
		return true
	}
	return false
}
